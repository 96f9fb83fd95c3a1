// After htmx swaps a space's times (another day, another week), focus moves to the heading
// swapped in, so keyboard and screen-reader users go on from the day they chose.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (!target || target.id !== "times") return;
  const heading = document.querySelector("#times [data-swap-focus]");
  if (heading) heading.focus();
});
