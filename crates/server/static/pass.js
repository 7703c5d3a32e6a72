// The paper pass page: the print button prints the pass.
(function () {
  'use strict';
  var button = document.getElementById('print-pass');
  if (button) button.addEventListener('click', function () { window.print(); });
})();
