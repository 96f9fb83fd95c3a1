// A phone photo is shrunk before it is sent: a file input with `data-shrink="1600"` gets its
// picture redrawn at most 1600 px on the long side as a JPEG (the size the server keeps
// anyway), so a 12 MB photo goes up as a few hundred kB on a slow connection and never hits
// the 8 MB limit. Without JavaScript, or when the browser cannot decode the picture, the
// original is sent and the server checks it as before. The status line says what was done.
(() => {
  const QUALITY = 0.85;
  const SMALL_ENOUGH = 512 * 1024; // below this and within the long side, leave it alone

  const sizeText = (bytes) =>
    bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;

  async function shrunk(file, longSide) {
    if (!file.type.startsWith("image/") || typeof createImageBitmap !== "function") return null;
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, longSide / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size <= SMALL_ENOUGH) {
      bitmap.close();
      return null;
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG becomes a JPEG on white, not on black
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    if (!blob || blob.size >= file.size) return null;
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
  }

  function watch(input) {
    if (input.dataset.shrinkWatched) return; // the script is included once per photo field
    input.dataset.shrinkWatched = "1";
    const status = document.getElementById(input.dataset.shrinkStatus);
    const form = input.form;
    let pending = null;
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (status) status.textContent = "";
      if (!file) return;
      pending = shrunk(file, Number(input.dataset.shrink))
        .then((smaller) => {
          if (!smaller || input.files[0] !== file) return;
          const transfer = new DataTransfer();
          transfer.items.add(smaller);
          input.files = transfer.files;
          if (status) {
            status.textContent = input.dataset.shrunkText
              .replace("{before}", sizeText(file.size))
              .replace("{after}", sizeText(smaller.size));
          }
        })
        .catch(() => {}) // undecodable here: the original goes up and the server decides
        .finally(() => {
          pending = null;
        });
    });
    // A tap on the button while the picture is still being redrawn waits for it.
    if (form) {
      form.addEventListener("submit", (event) => {
        if (!pending) return;
        event.preventDefault();
        const submitter = event.submitter;
        pending.then(() => form.requestSubmit(submitter));
      });
    }
  }

  document.querySelectorAll("input[type=file][data-shrink]").forEach(watch);
})();
