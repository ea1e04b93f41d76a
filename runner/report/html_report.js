// results.html's script: filters the rows by name and status;
// #status=A,B&q=TEXT presets both, and #open=NAME opens that test's output.
(function () {
  var input = document.getElementById('filter');
  var boxes = document.querySelectorAll('input.status');
  var rows = document.querySelectorAll('tr.test');
  function apply() {
    var q = input.value.toLowerCase(), on = {}, shown = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    rows.forEach(function (r) {
      var ok = on[r.dataset.status] &&
               r.dataset.name.toLowerCase().indexOf(q) >= 0;
      r.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById('shown').textContent =
        shown + ' of ' + rows.length + ' tests shown';
  }
  var h = new URLSearchParams(location.hash.slice(1));
  if (h.has('status')) {
    var want = h.get('status').split(',');
    boxes.forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
  }
  if (h.has('q')) input.value = h.get('q');
  if (h.has('open')) {
    rows.forEach(function (r) {
      if (r.dataset.name === h.get('open'))
        r.querySelector('details').open = true;
    });
  }
  input.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
