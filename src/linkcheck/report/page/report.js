(function () {
  "use strict";
  var controls = document.getElementById("controls");
  var status = document.getElementById("status");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var documents = document.getElementById("documents");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-s]"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-rows]"));
  function apply() {
    var wanted = status.value;
    var term = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row, i) {
      var s = row.getAttribute("data-s");
      var keep = (wanted === "" || wanted === s || (wanted === "failing" && row.hasAttribute("data-f")))
        && (term === "" || texts[i].indexOf(term) !== -1);
      row.hidden = !keep;
      if (keep && documents.contains(row)) { count += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = group.querySelector("tr[data-s]:not([hidden])") === null;
    });
    shown.textContent = count === 1 ? "1 citation shown" : count + " citations shown";
  }
  status.addEventListener("change", apply);
  search.addEventListener("input", apply);
  controls.hidden = false;
  apply();
})();
