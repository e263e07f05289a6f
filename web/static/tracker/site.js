// Public pages: the citation's copy button. A static file, so the strict CSP holds.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
  navigator.clipboard?.writeText(text.trim()).then(() => { button.textContent = "Copied"; });
});

// The quote check's form: a long text goes by POST (its percent-encoded form would not fit a
// request line; the answer is the same). Without this script the form sends GET.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.check[data-long-text-bytes]");
  if (!form) return;
  const query = new URLSearchParams(new FormData(form)).toString();
  form.method = query.length > Number(form.dataset.longTextBytes) ? "post" : "get";
});
