// hrdbot staff console: small progressive enhancements; every page works without script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The notice preview follows the text as staff type (the server preview stays authoritative).
  const text = document.getElementById("text");
  const preview = document.getElementById("tg-preview");
  if (text && preview) {
    text.addEventListener("input", () => { preview.textContent = text.value; });
  }
  // Ask before leaving a record form with unsaved edits.
  const form = document.getElementById("record-form");
  if (form) {
    let dirty = false;
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (e) => { if (dirty) { e.preventDefault(); } });
  }
});
