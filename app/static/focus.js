// A re-rendered form's error summary takes the focus, so it is read out and typed from there;
// without JavaScript the form's `#form-errors` action already scrolls it into view.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
});
