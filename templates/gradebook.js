// Sorting the tables marked data-sortable: a click on a column's header button
// sorts by that column (numbers by their data-value, text as a person reads it);
// a second click reverses the order.
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach((header, column) => {
    const button = header.querySelector("button");
    if (!button) return;
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach((other) => other.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = header.dataset.sort === "number";
      const key = (row) => {
        const cell = row.cells[column];
        return numeric ? Number(cell.dataset.value) : cell.textContent.trim();
      };
      const compare = (a, b) =>
        numeric ? key(a) - key(b) : key(a).localeCompare(key(b), undefined, { numeric: true, sensitivity: "base" });
      const body = table.tBodies[0];
      const rows = Array.from(body.rows).sort((a, b) => (ascending ? compare(a, b) : compare(b, a)));
      body.append(...rows);
    });
  });
}
