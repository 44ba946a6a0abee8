// Autosave of a filing step: the step's form is posted in the background (1.5 s after the last
// keystroke, at once when a field is left, and when the page is hidden or closed) to the autosave
// endpoint, which saves every well-formed field through the same service as "Enregistrer" and
// answers the errors per field in the server's words; they are shown under the field once the
// applicant has touched it. Without JavaScript nothing here runs and the buttons save as before.
(() => {
  "use strict";
  const form = document.getElementById("step-form");
  const status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch) return;
  const url = form.dataset.autosaveUrl;
  const words = status.dataset;
  const DELAY = 1500;
  const touched = new Set(); // field names the applicant changed or left on this page
  let timer = null;
  let dirty = false; // changes not yet sent
  let inflight = null; // the request on its way
  let failed = false; // the last attempt did not save
  let submitting = false; // "Enregistrer" pressed: the page is leaving with its data

  const say = (text) => {
    // Only a new text: a live region read again at every keystroke would be noise.
    if (status.textContent !== text) status.textContent = text;
  };

  const groupOf = (input) => input.closest(".fr-input-group, .fr-select-group, .fr-fieldset, .fr-radio-group");

  function showError(name, messages) {
    const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    if (!inputs.length) return;
    const first = inputs[0];
    const group = first.type === "radio" ? first.closest(".fr-fieldset") || groupOf(first) : groupOf(first);
    if (!group) return;
    const base = ["fr-input-group", "fr-select-group", "fr-fieldset"].find((c) => group.classList.contains(c));
    const errorId = `${first.id || name}-desc-error`;
    let box = document.getElementById(errorId);
    if (!messages || !messages.length) {
      if (box) box.remove();
      if (base) group.classList.remove(`${base}--error`);
      inputs.forEach((input) => {
        input.classList.remove("fr-input--error", "fr-select--error");
        input.removeAttribute("aria-invalid");
      });
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = errorId;
      group.appendChild(box);
    }
    box.replaceChildren(
      ...messages.map((message) => {
        const p = document.createElement("p");
        p.className = "fr-error-text";
        p.textContent = message;
        return p;
      })
    );
    if (base) group.classList.add(`${base}--error`);
    inputs.forEach((input) => {
      input.setAttribute("aria-invalid", "true");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!described.includes(errorId)) input.setAttribute("aria-describedby", [...described, errorId].join(" "));
    });
  }

  // Fields showing an error now: those the server rendered, then those this script marked.
  const shown = new Set();
  form
    .querySelectorAll(".fr-input-group--error [name], .fr-select-group--error [name], .fr-fieldset--error [name]")
    .forEach((input) => shown.add(input.name));

  function showErrors(errors) {
    const names = new Set([...touched, ...shown, ...Object.keys(errors)]);
    names.forEach((name) => {
      showError(name, errors[name]);
      if (errors[name] && errors[name].length) shown.add(name);
      else shown.delete(name);
    });
  }

  function save({ leaving = false } = {}) {
    clearTimeout(timer);
    timer = null;
    if (!dirty || submitting) return;
    if (inflight && !leaving) {
      // One request at a time: the newer values go once this one is answered.
      timer = setTimeout(save, 300);
      return;
    }
    dirty = false;
    const body = new FormData(form);
    say(words.saving);
    const request = fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      keepalive: leaving,
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then((response) =>
        response
          .json()
          .catch(() => ({}))
          .then((answer) => ({ ok: response.ok, answer }))
      )
      .then(({ ok, answer }) => {
        if (ok && answer.saved) {
          failed = false;
          say(answer.status);
          showErrors(answer.errors || {});
        } else {
          failed = true;
          dirty = true;
          say(answer.status || words.failed);
        }
      })
      .catch(() => {
        failed = true;
        dirty = true;
        say(words.offline);
      })
      .finally(() => {
        if (inflight === request) inflight = null;
      });
    inflight = request;
  }

  function changed(event, delay) {
    if (!event.target.name) return;
    touched.add(event.target.name);
    dirty = true;
    if (!failed) say(words.unsaved);
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("input", (event) => changed(event, DELAY));
  form.addEventListener("change", (event) => changed(event, DELAY));
  // Leaving a field saves at once, so its error (if any) shows right under it.
  form.addEventListener("focusout", (event) => {
    if (event.target.name) touched.add(event.target.name);
    if (dirty) save();
  });
  // "Enregistrer": a background save still on its way goes first, so that it cannot land after the
  // button's save with older values; then the form is sent as the button asked.
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (inflight && !submitting) {
      event.preventDefault();
      const submitter = event.submitter;
      submitting = true;
      inflight.finally(() => form.requestSubmit(submitter));
      return;
    }
    submitting = true;
  });
  window.addEventListener("online", () => {
    if (dirty) save();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({ leaving: true });
  });
  window.addEventListener("pagehide", () => save({ leaving: true }));
  // Leaving with changes not yet saved: they go with a request that outlives the page (keepalive).
  // When that cannot work (offline, or the last save failed), the browser asks before leaving.
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !(dirty || failed || inflight)) return;
    dirty = true;
    save({ leaving: true });
    if (failed || !navigator.onLine) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
