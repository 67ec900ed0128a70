// Small progressive enhancements; every action also works without JavaScript.
document.documentElement.classList.add("js");

// After a redirect to a section of a long page (…/edit#anlagen), show the messages in that section, where the
// reader is, instead of at the top of the page out of view.
const flashes = document.querySelector("main .flashes");
const section = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
if (flashes && section && !section.contains(flashes)) {
  const heading = section.querySelector("h2, h3");
  if (heading) heading.after(flashes);
  else section.prepend(flashes);
}

document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented) return; // htmx sends this form itself
  // The form is being sent for real: an autosave still waiting for its delay (e.g. from leaving a field by clicking
  // "einreichen") must not run after it, or it would race the submit and make it look stale.
  event.target.dataset.submitting = "true";
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
  if (form && form.dataset.submitting === "true") event.preventDefault();
});

// Coming back with the browser's back button shows the page from the cache: let its autosave work again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitting]").forEach((form) => delete form.dataset.submitting);
});

// Length counters for fields with a limit (the server checks the limit again on submit).
function updateCounter(counter) {
  const input = document.getElementById(counter.dataset.for);
  if (!input) return;
  const template = counter.dataset.template;
  const limit = parseInt(input.dataset.limit, 10);
  const count = input.value.replace(/<[^>]*>/g, "").length;
  counter.textContent = template.replace("{count}", count.toLocaleString(document.documentElement.lang));
  counter.classList.toggle("over-limit", count > limit);
}
document.querySelectorAll(".counter[data-for]").forEach((counter) => {
  updateCounter(counter);
  const input = document.getElementById(counter.dataset.for);
  if (input) input.addEventListener("input", () => updateCounter(counter));
});

// Countdowns to a deadline, rendered by the server and kept current here.
function updateCountdown(element) {
  const remaining = (new Date(element.dataset.deadline) - new Date()) / 1000;
  if (remaining <= 0) {
    element.textContent = element.dataset.expired;
    return;
  }
  const days = Math.floor(remaining / 86400);
  const hours = Math.floor((remaining % 86400) / 3600);
  const minutes = Math.floor((remaining % 3600) / 60);
  const parts = [element.dataset.prefix];
  if (days) parts.push(`${days} ${days === 1 ? element.dataset.day : element.dataset.days},`);
  parts.push(`${hours} ${element.dataset.hours}`);
  if (!days) parts.push(`, ${minutes} ${element.dataset.minutes}`);
  element.textContent = parts.join(" ").replace(" ,", ",");
}
const countdowns = document.querySelectorAll(".countdown[data-deadline]");
countdowns.forEach(updateCountdown);
if (countdowns.length) setInterval(() => countdowns.forEach(updateCountdown), 30000);
