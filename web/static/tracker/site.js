// Public pages: the citation's copy button. A static file, so the strict CSP holds.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
  navigator.clipboard?.writeText(text.trim()).then(() => { button.textContent = "Copied"; });
});
