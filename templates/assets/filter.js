/* kb report: narrow the concept list as you type. No dependencies, no network.
   Without JavaScript the filter box stays hidden and the whole list shows. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-filter]");
  Array.prototype.forEach.call(boxes, function (box) {
    var input = box.querySelector("[data-filter-input]");
    var status = box.querySelector("[data-filter-status]");
    var list = input && document.getElementById(input.getAttribute("aria-controls"));
    if (!list) {
      return;
    }
    var items = list.querySelectorAll("[data-search]");
    var groups = list.querySelectorAll("[data-filter-group]");
    var empty = list.querySelector("[data-filter-empty]");

    function apply() {
      var terms = input.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var text = item.getAttribute("data-search") || "";
        var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
        item.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = group.querySelector("[data-search]:not([hidden])") === null;
      });
      if (empty) {
        empty.hidden = shown !== 0;
      }
      status.textContent = terms.length === 0 ? "" : shown + " of " + items.length + " concepts shown";
    }

    box.hidden = false;
    input.addEventListener("input", apply);
    apply();
  });
})();
