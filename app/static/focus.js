// A re-rendered form's error summary carries `autofocus`, which takes the focus and scrolls it
// into view without JavaScript; this only helps browsers that honour `autofocus` on form
// controls alone, and never takes the focus from something the person already chose.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[autofocus]");
  if (summary && (document.activeElement === null || document.activeElement === document.body)) {
    summary.focus();
  }
});
