// A running batch: poll its small JSON status, move the bar, reload the page once it is finished
// (the page refreshes itself without JavaScript: <noscript> meta refresh).
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("batch-progress");
  if (!root || root.dataset.finished === "true") return;
  const bar = root.querySelector("progress");
  const text = root.querySelector("[data-progress-text]");
  const poll = async () => {
    try {
      const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        bar.value = state.done + state.declined;
        bar.max = state.total;
        text.textContent = `${state.done + state.declined} / ${state.total}`;
        if (state.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // Network hiccup: try again at the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
});
