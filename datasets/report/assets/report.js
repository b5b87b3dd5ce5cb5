// stancemap report: draws the figures (Vega-Lite, inlined) and the passage browser.
// Everything it needs is in this file's page: nothing is fetched.
(function () {
  "use strict";
  const R = JSON.parse(document.getElementById("report-data").textContent);
  const P = R.passages;
  for (const cell of R.cells) { // positions are stored as gaps (cells.py)
    let at = 0;
    cell.p = cell.p.map(function (gap) { at += gap; return at; });
  }
  const PAGE = 20;
  const state = { cell: null, query: "", page: 0 };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // ---- figures -------------------------------------------------------------------------
  function cellOf(item) {
    if (!item || !item.datum) return null;
    const d = item.datum;
    if (d._cell !== undefined) return d._cell;
    if (d.properties && d.properties._cell !== undefined) return d.properties._cell;
    return null;
  }

  const drawn = R.figures.map(function (figure) {
    const box = document.querySelector('[data-figure="' + figure.id + '"] .chart');
    return vegaEmbed(box, figure.spec, { renderer: "svg", actions: false }).then(function (result) {
      result.view.addEventListener("click", function (event, item) {
        const cell = cellOf(item);
        if (cell !== null) openCell(cell);
      });
      box.setAttribute("data-rendered", "1");
    });
  });
  Promise.all(drawn).then(function () { window.__reportReady = true; })
    .catch(function (err) { console.error(err); window.__reportReady = "error"; });

  // ---- passage browser -----------------------------------------------------------------
  const list = document.getElementById("browser-list");
  const heading = document.getElementById("browser-heading");
  const pager = document.getElementById("browser-pager");
  const search = document.getElementById("browser-search");

  function openCell(index) {
    state.cell = index; state.page = 0;
    render();
    document.getElementById("passages").scrollIntoView({ behavior: "smooth" });
  }
  window.stancemapOpenCell = openCell;

  function positions() {
    const base = state.cell === null ? P.records.map((r, i) => i) : R.cells[state.cell].p;
    if (!state.query) return base;
    const q = state.query.toLowerCase();
    return base.filter(function (i) {
      const r = P.records[i];
      return r && r.t.toLowerCase().includes(q);
    });
  }

  function kwic(text, query, width) {
    const lines = [];
    const lower = text.toLowerCase(), q = query.toLowerCase();
    let at = lower.indexOf(q);
    while (at >= 0 && lines.length < 5) {
      lines.push(el("div", { class: "kwic-line" },
        el("span", { class: "kwic-left" }, text.slice(Math.max(0, at - width), at)),
        el("span", { class: "kwic-key" }, text.slice(at, at + q.length)),
        el("span", { class: "kwic-right" }, text.slice(at + q.length, at + q.length + width))));
      at = lower.indexOf(q, at + q.length);
    }
    return el("div", { class: "kwic" }, ...lines);
  }

  function highlighted(record) {
    const text = record.t, out = el("p", { class: "text" });
    let at = 0;
    const marks = record.m.slice().sort((a, b) => a[0] - b[0]);
    for (const [start, end, label, canonical] of marks) {
      if (start < at || start < 0 || end > text.length) continue; // overlapping or outside
      out.append(text.slice(at, start));
      out.append(el("mark", { class: "mention m-" + label.toLowerCase(),
        title: label + (canonical ? " · " + canonical : "") }, text.slice(start, end)));
      at = end;
    }
    out.append(text.slice(at));
    return out;
  }

  function codesTable(codes) {
    if (!codes.length) return el("p", { class: "muted" }, "No codes.");
    const rows = codes.map(function (c) {
      const [dimension, target, value, score, source, status, stands] = c;
      return el("tr", { class: stands ? "stands" : "overruled" },
        el("td", {}, dimension + (target ? " → " + target : "")), el("td", {}, value),
        el("td", {}, score === null ? "" : Number(score).toFixed(3)), el("td", {}, source),
        el("td", {}, status), el("td", {}, stands ? "✓" : ""));
    });
    return el("table", { class: "codes" },
      el("thead", {}, el("tr", {}, ...["dimension", "value", "score", "source", "status", "stands"]
        .map(h => el("th", {}, h)))), el("tbody", {}, ...rows));
  }

  function contextBlock(record, key, label) {
    const neighbour = record[key];
    if (neighbour === undefined) return null;
    const box = el("div", { class: "context", hidden: "" });
    const button = el("button", { type: "button", class: "ctx", onclick: function () {
      if (box.hasAttribute("hidden")) {
        box.textContent = "";
        const other = P.records[neighbour];
        box.append(other ? other.t : (record[key + "t"] || "") + " …");
        box.removeAttribute("hidden");
      } else box.setAttribute("hidden", "");
    } }, label);
    return el("div", {}, button, box);
  }

  function card(position) {
    const record = P.records[position], id = P.ids[position];
    if (!record) {
      return el("article", { class: "passage stub", "data-passage": id },
        el("div", { class: "meta" }, id),
        el("p", { class: "muted" }, "Text not embedded: the report holds " + P.embedded +
          " of " + P.total + " passages (--max-passages " + P.max_passages + "). " +
          "The passages export has it under this passage_id."));
    }
    const doc = P.docs[record.d];
    const meta = [doc.title || doc.path, doc.kind, doc.date, doc.source_country && ("source: " + doc.source_country),
      record.sp && ("speaker: " + record.sp), record.l, "passage " + (record.s + 1)].filter(Boolean).join(" · ");
    return el("article", { class: "passage", "data-passage": id },
      el("div", { class: "meta" }, meta, el("span", { class: "pid" }, id)),
      record.q ? el("p", { class: "question" }, "Q: " + record.q) : null,
      state.query ? kwic(record.t, state.query, 60) : null,
      contextBlock(record, "pv", "◀ previous passage"),
      highlighted(record),
      contextBlock(record, "nx", "next passage ▶"),
      el("details", {}, el("summary", {}, record.c.length + " codes"), codesTable(record.c)));
  }

  function render() {
    const all = positions();
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const label = state.cell === null ? "All embedded passages" : R.cells[state.cell].label;
    heading.textContent = label + " — " + all.length + " passage" + (all.length === 1 ? "" : "s") +
      (state.query ? " containing “" + state.query + "”" : "");
    heading.setAttribute("data-cell", state.cell === null ? "" : String(state.cell));
    list.textContent = "";
    for (const position of all.slice(state.page * PAGE, (state.page + 1) * PAGE)) list.append(card(position));
    pager.textContent = "";
    pager.append(
      el("button", { type: "button", onclick: function () { state.page = Math.max(0, state.page - 1); render(); } }, "◀"),
      " page " + (state.page + 1) + " of " + pages + " ",
      el("button", { type: "button", onclick: function () { state.page = Math.min(pages - 1, state.page + 1); render(); } }, "▶"),
      state.cell === null ? "" : el("button", { type: "button", class: "all",
        onclick: function () { state.cell = null; state.page = 0; render(); } }, "show all passages"));
  }

  let timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.query = search.value.trim(); state.page = 0; render(); }, 200);
  });
  render();
})();
