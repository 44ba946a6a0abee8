// Several files for one document, sent together with a progress bar. Each chosen file goes in its
// own request (so the size limit applies to each file, and one bad file does not sink the others);
// the server checks each alone and keeps the good ones. Then the page is loaded again: its
// messages say which files were kept and why any was refused. Without JavaScript the form posts
// every file at once to the same address.
(() => {
  "use strict";
  const forms = document.querySelectorAll("form.wif-upload-form");
  if (!forms.length || !window.FormData || !window.XMLHttpRequest) return;

  function send(form, file, fieldName, onProgress) {
    return new Promise((resolve) => {
      const body = new FormData();
      form.querySelectorAll("input[type=hidden]").forEach((input) => body.append(input.name, input.value));
      body.append(fieldName, file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded);
      });
      request.addEventListener("load", () => {
        let answer = {};
        try {
          answer = JSON.parse(request.responseText);
        } catch (error) {
          answer = {};
        }
        resolve({ ok: request.status >= 200 && request.status < 300, answer });
      });
      request.addEventListener("error", () => resolve({ ok: false, answer: {} }));
      request.send(body);
    });
  }

  forms.forEach((form) => {
    const input = form.querySelector("input[type=file]");
    const progress = form.querySelector(".wif-upload-progress");
    const status = form.querySelector(".wif-upload-status");
    const button = form.querySelector("button[type=submit]");
    if (!input || !progress || !status) return;
    form.addEventListener("submit", async (event) => {
      const files = Array.from(input.files || []);
      if (!files.length) return; // the server says to choose a file
      event.preventDefault();
      const total = files.reduce((sum, file) => sum + file.size, 0) || 1;
      let done = 0;
      let next = null;
      let failed = false;
      progress.hidden = false;
      progress.value = 0;
      if (button) button.disabled = true;
      status.textContent = form.dataset.sending || "";
      for (const file of files) {
        const { ok, answer } = await send(form, file, input.name, (loaded) => {
          progress.value = Math.round(((done + loaded) / total) * 100);
        });
        done += file.size;
        progress.value = Math.round((done / total) * 100);
        if (answer.next) next = answer.next;
        if (!ok) failed = true;
      }
      if (failed && !next) {
        // The network failed before any answer: say so and let the applicant try again.
        if (button) button.disabled = false;
        progress.hidden = true;
        status.textContent = form.dataset.failed || "";
        return;
      }
      window.location.assign(next || window.location.href);
    });
  });
})();
