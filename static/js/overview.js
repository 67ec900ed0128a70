// The juror's overview: the column links sort on the server; here they sort the table in place (no reload).
document.querySelectorAll("table.sortable").forEach((table) => {
  const body = table.tBodies[0];
  table.querySelectorAll("thead a[data-sort]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const key = link.dataset.sort;
      const th = link.closest("th");
      const numeric = link.dataset.numeric === "true";
      const descending = th.getAttribute("aria-sort") === "ascending"
        || (!th.hasAttribute("aria-sort") && numeric);
      const attribute = `data-${key}`;
      const rows = Array.from(body.rows);
      const value = (row) => {
        const raw = row.getAttribute(attribute) || "";
        if (raw === "") return null;
        if (key === "state") return parseInt(raw, 10); // 0 draft, 1 not started, 2 submitted
        return numeric ? parseFloat(raw) : raw;
      };
      rows.sort((a, b) => {
        const x = value(a);
        const y = value(b);
        if (x === null || y === null) return (x === null) - (y === null);
        const result = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -result : result;
      });
      rows.forEach((row) => body.append(row));
      table.querySelectorAll("thead th").forEach((cell) => cell.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      table.querySelectorAll("thead a[data-sort] .sort-mark").forEach((mark) => mark.remove());
      const mark = document.createElement("span");
      mark.className = "sort-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = descending ? " ▼" : " ▲";
      link.append(mark);
      const url = new URL(link.href, location.href);
      history.replaceState(null, "", `${location.pathname}?sort=${key}&dir=${descending ? "desc" : "asc"}${url.hash}`);
    });
  });
});
