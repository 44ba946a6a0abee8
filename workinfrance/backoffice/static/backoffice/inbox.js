// The inbox's "whole page" box ticks every row (without JavaScript the server reads it alone).
document.addEventListener("DOMContentLoaded", () => {
  const whole = document.getElementById("whole-page");
  if (!whole) return;
  const rows = Array.from(document.querySelectorAll("input.wif-select"));
  whole.addEventListener("change", () => {
    rows.forEach((box) => { box.checked = whole.checked; });
  });
  rows.forEach((box) => box.addEventListener("change", () => {
    whole.checked = rows.every((row) => row.checked);
  }));
});
