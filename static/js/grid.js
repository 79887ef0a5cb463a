/* Kelurahan grid keyboard: Enter moves down a row, the arrow keys move between cells, like
   a spreadsheet. Cells carry data-row / data-col; text inputs keep left/right for the
   caret until it reaches the edge of the text. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-grid]");
  if (!grid) { return; }

  function cellAt(row, col) {
    return grid.querySelector('[data-row="' + row + '"][data-col="' + col + '"]');
  }

  function move(from, dRow, dCol) {
    var row = Number(from.dataset.row), col = Number(from.dataset.col);
    for (var step = 1; step < 200; step++) {
      var next = cellAt(row + dRow * step, col + dCol * step);
      if (!next) { return false; }
      if (!next.disabled) {
        next.focus();
        if (next.select && next.type === "text") { next.select(); }
        return true;
      }
    }
    return false;
  }

  grid.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (!cell.dataset || cell.dataset.row === undefined) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var text = cell.tagName === "INPUT";
    var atStart = !text || (cell.selectionStart === 0 && cell.selectionEnd === 0);
    var atEnd = !text || cell.selectionStart === cell.value.length;
    var handled = false;
    switch (event.key) {
      case "Enter":
        handled = true;  // never submit from a cell; move down instead
        move(cell, event.shiftKey ? -1 : 1, 0);
        break;
      case "ArrowDown": handled = move(cell, 1, 0); break;
      case "ArrowUp": handled = move(cell, -1, 0); break;
      case "ArrowLeft": handled = atStart && move(cell, 0, -1); break;
      case "ArrowRight": handled = atEnd && move(cell, 0, 1); break;
    }
    if (handled) { event.preventDefault(); }
  });
})();
