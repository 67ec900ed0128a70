// The score sheet: autosave of every field as typed, errors next to their fields and named in the bar, a copy in
// this browser as a safety net, and plain words when another tab saved, the session expired or the connection is
// gone. Without JavaScript the form's own buttons save and submit.
(() => {
  const form = document.getElementById("score-form");
  if (!form) return;
  const url = form.dataset.autosaveUrl;
  const storageKey = form.dataset.storageKey;
  const status = document.getElementById("sheet-status");
  const attention = document.getElementById("sheet-attention");
  const conflict = document.getElementById("sheet-conflict");
  const bar = document.getElementById("sheet-bar");
  const versionInput = () => form.querySelector("#sheet-version");
  const fields = () => Array.from(form.querySelectorAll("input[name^='score_'], textarea"));

  // --- the focused field is never under the bar -------------------------------------------------------------
  function reveal(field) {
    if (!bar) return;
    const barTop = bar.getBoundingClientRect().top;
    const rect = field.getBoundingClientRect();
    const error = document.getElementById(`${field.id}-error`);
    const bottom = error && !error.hidden ? Math.max(rect.bottom, error.getBoundingClientRect().bottom) : rect.bottom;
    const below = bottom + 12 - barTop;
    if (below > 0) window.scrollBy(0, below);
    else if (rect.top < 8) window.scrollBy(0, rect.top - 8);
  }
  form.addEventListener("focusin", (event) => {
    if (event.target.matches("input, textarea")) reveal(event.target);
  });
  function linkAttention(root) {
    root.querySelectorAll("a[data-focus]").forEach((link) => {
      link.addEventListener("click", (event) => {
        const field = document.getElementById(link.dataset.focus);
        if (!field) return;
        event.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus({ preventScroll: true });
        reveal(field);
      });
    });
  }
  linkAttention(document);

  function values() {
    const data = {};
    fields().forEach((field) => { data[field.name] = field.value; });
    return data;
  }
  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  function remember() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ version: versionInput().value, fields: values() }));
    } catch (error) { /* storage full or off: the page still holds the text */ }
  }
  function forget() {
    try { localStorage.removeItem(storageKey); } catch (error) { /* nothing stored */ }
  }

  if (!url) { // a submitted or closed sheet: nothing to save from here
    forget();
    return;
  }

  // --- errors next to their fields, and named in the bar ---------------------------------------------------
  function showProblems(problems) {
    fields().forEach((field) => {
      const error = document.getElementById(`${field.id}-error`);
      const message = problems[field.name];
      if (message) {
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", `${field.id}-error`);
        if (error) { error.textContent = message; error.hidden = false; }
      } else {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        if (error) { error.textContent = ""; error.hidden = true; }
      }
    });
    attention.textContent = "";
    const named = new Set();
    fields().forEach((field) => {
      if (!problems[field.name] || named.has(field.dataset.name)) return;
      named.add(field.dataset.name);
      const link = document.createElement("a");
      link.href = `#${field.id}`;
      link.dataset.focus = field.id;
      link.textContent = field.dataset.name;
      attention.append(link, " ");
    });
    if (named.size) attention.prepend(`${form.dataset.msgAttention} `);
    attention.hidden = named.size === 0;
    linkAttention(attention);
  }
  function showStored(stored) {
    form.querySelectorAll(".stored-value[data-live]").forEach((node) => node.remove());
    Object.entries(stored).forEach(([name, text]) => {
      const field = form.querySelector(`[name="${name}"]`);
      if (!field || field.value.trim() === text.trim() || (text === "–" && !field.value.trim())) return;
      const note = document.createElement("small");
      note.className = "stored-value";
      note.dataset.live = "true";
      note.textContent = `${form.dataset.msgStored} ${text}`;
      const error = document.getElementById(`${field.id}-error`);
      (error || field).after(note);
    });
  }
  function say(text) {
    status.textContent = "";
    const line = document.createElement("span");
    line.className = "field-error";
    line.textContent = text;
    status.append(line);
  }

  // --- saving ------------------------------------------------------------------------------------------------
  let timer = null;
  let running = false;
  let again = false;
  let stale = null; // the stored version when another tab saved; autosave waits for the juror's decision
  let halted = false; // the server refused for a reason typing does not change (deadline, frozen)
  let freshToken = false;

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  async function renewToken() {
    // After a new login the page's form token belongs to the old session: take the current one from the page.
    const response = await fetch(form.getAttribute("action") || location.pathname, { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const token = page.querySelector("input[name='csrf_token']");
    if (token) form.querySelector("input[name='csrf_token']").value = token.value;
  }

  async function save() {
    if (stale || halted || form.dataset.submitting === "true") return;
    if (running) { again = true; return; }
    running = true;
    const sent = values();
    const body = new FormData(form);
    let answer = null;
    try {
      if (freshToken) { await renewToken(); freshToken = false; }
      const response = await fetch(url, {
        method: "POST", body, credentials: "same-origin", headers: { "HX-Request": "true" },
      });
      const text = await response.text();
      answer = new DOMParser().parseFromString(text, "text/html").querySelector("[data-autosave]");
      if (!answer) {
        if (response.status >= 500) { say(form.dataset.msgServer); schedule(10000); }
        else { say(form.dataset.msgExpired); freshToken = true; schedule(10000); }
      }
    } catch (error) {
      say(form.dataset.msgOffline);
      schedule(10000);
    }
    running = false;
    if (answer) handle(answer, sent);
    if (again && !stale && !halted) { again = false; schedule(0); }
  }

  function handle(answer, sent) {
    const state = answer.dataset.autosave;
    const line = answer.querySelector(".autosave-line");
    const problems = {};
    answer.querySelectorAll(".field-problems li[data-field]").forEach((item) => {
      problems[item.dataset.field] = item.textContent.trim();
    });
    if (state === "saved") {
      versionInput().value = answer.querySelector("#sheet-version").value;
      status.replaceChildren(...line.childNodes);
      showProblems(problems);
      // an error that just appeared under the field being typed in must not sit under the bar
      if (form.contains(document.activeElement) && document.activeElement.matches("input, textarea")) {
        reveal(document.activeElement);
      }
      if (same(sent, values())) forget(); else remember();
      return;
    }
    if (state === "stale") {
      stale = answer.dataset.storedVersion || null;
      status.replaceChildren(...line.childNodes);
      const stored = {};
      answer.querySelectorAll(".stored-values li[data-field]").forEach((item) => {
        stored[item.dataset.field] = item.textContent;
      });
      showStored(stored);
      attention.hidden = true;
      conflict.hidden = !stale;
      return;
    }
    halted = true; // refused: the deadline passed, the round is frozen … the text stays in the page and here
    status.replaceChildren(...line.childNodes);
  }

  conflict.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-conflict]");
    if (!button) return;
    if (button.dataset.conflict === "mine") {
      versionInput().value = stale;
      stale = null;
      conflict.hidden = true;
      form.querySelectorAll(".stored-value[data-live]").forEach((node) => node.remove());
      remember();
      schedule(0);
    } else {
      forget();
      location.reload();
    }
  });

  form.addEventListener("input", () => { remember(); schedule(1000); });
  form.addEventListener("change", () => { remember(); schedule(200); });
  window.addEventListener("online", () => schedule(0));

  // --- a copy left in this browser (a crash, a closed tab, a lost connection) ------------------------------
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (error) { kept = null; }
  if (kept && kept.fields) {
    // The server trims what it stores: a copy that differs only in surrounding spaces is not a lost edit.
    const unsaved = Object.entries(kept.fields).some(([name, value]) => {
      const field = form.querySelector(`[name="${name}"]`);
      return field && field.value.trim() !== String(value).trim();
    });
    if (!unsaved) {
      forget();
    } else {
      Object.entries(kept.fields).forEach(([name, value]) => {
        const field = form.querySelector(`[name="${name}"]`);
        if (field) field.value = value;
      });
      versionInput().value = kept.version; // saved on top of what it was typed on, or shown as a conflict
      say(form.dataset.msgRestored);
      schedule(0);
    }
  }
})();
