// The ranking page's chart chooser: each link reloads the page with ?kategorie=… (works without JavaScript);
// here it shows the chosen category's charts in place, marks its link and keeps the address for reloads.
document.querySelectorAll("[data-chart-panels]").forEach((section) => {
  const links = Array.from(section.querySelectorAll("a[data-panel]"));
  const status = section.querySelector("[data-chart-status]");
  links.forEach((link) => {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      const target = link.dataset.panel;
      links.forEach((other) => {
        if (other === link) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      });
      section.querySelectorAll(".chart-panel").forEach((panel) => {
        panel.hidden = panel.id !== target;
        if (!panel.hidden && status) status.textContent = panel.dataset.heading;
      });
      window.history.replaceState(null, "", link.href);
    });
  });
});
