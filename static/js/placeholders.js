// The placeholder list beside a mail text: a click inserts the placeholder where the cursor is (in the subject or
// the text, whichever was used last). Without JavaScript the list is plain text to copy.
(() => {
  const form = document.getElementById("template-form") || document.querySelector("textarea[name=body]")?.form;
  if (!form) return;
  const fields = [...form.querySelectorAll("input[name=subject], textarea[name=body]")];
  let last = fields.find((f) => f.name === "body") || fields[0];
  fields.forEach((f) => f.addEventListener("focus", () => { last = f; }));
  document.querySelectorAll("code[data-placeholder]").forEach((code) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline placeholder-insert";
    button.textContent = code.dataset.placeholder;
    button.setAttribute("aria-label", code.dataset.label || code.dataset.placeholder);
    button.addEventListener("click", () => {
      if (!last) return;
      const text = code.dataset.placeholder;
      const start = last.selectionStart ?? last.value.length;
      const end = last.selectionEnd ?? start;
      last.setRangeText(text, start, end, "end");
      last.focus();
      last.dispatchEvent(new Event("input", { bubbles: true }));
    });
    code.replaceWith(button);
  });
})();
