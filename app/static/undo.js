// The undo of a cancellation is offered for a minute. When the seconds the server counted
// (data-undo-seconds) have passed, the button goes and a note says why: a page left open
// no longer offers what the server would refuse. Without JavaScript the server says so.
for (const form of document.querySelectorAll("form[data-undo-seconds]")) {
  const seconds = Number(form.dataset.undoSeconds);
  setTimeout(() => {
    form.querySelector("button").hidden = true;
    const note = form.querySelector("[data-undo-over]");
    note.textContent = note.dataset.undoOver;  // a status region: read out when it changes
  }, Math.max(0, seconds) * 1000);
}
