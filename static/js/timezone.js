// A new digest subscription starts in the browser's own time zone: a time zone <select> marked
// data-browser-zone (the server knew no better than UTC) is set to the zone the browser
// reports, when the list offers it. Without this file, UTC stays.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("select[data-browser-zone]").forEach(function (select) {
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (offered) select.value = zone;
  });
})();
