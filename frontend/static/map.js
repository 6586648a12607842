// The occupancy map: département outlines and hubs, no tile server (works offline). Colours are
// the DSFR's: red above 90 %, blue under 20 %, green between; size follows capacity. Its words
// come from the page (data-*), in the visitor's language.
(function () {
  var el = document.getElementById('carte');
  if (!el || !window.L) return;
  // fill puts args in the %s and %d of a message of the catalogue, in order.
  function fill(message, args) {
    var i = 0;
    return message.replace(/%[sd]/g, function () { return String(args[i++]); });
  }
  // percent writes p as the page writes 0 % (data-percent): "45 %" in French, "45%" in English.
  function percent(p) { return (el.dataset.percent || '0 %').replace('0', String(p)); }
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true, zoomControl: false });
  // The zoom buttons show their words beside the sign, not a bare "+" (app.css gives them room).
  L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
  [[el.querySelector('.leaflet-control-zoom-in'), '+', el.dataset.zoomIn],
    [el.querySelector('.leaflet-control-zoom-out'), '\u2212', el.dataset.zoomOut]].forEach(function (b) {
    if (!b[0]) return;
    var sign = document.createElement('span');
    sign.setAttribute('aria-hidden', 'true');
    sign.textContent = b[1] + ' ';
    b[0].textContent = '';
    b[0].appendChild(sign);
    b[0].appendChild(document.createTextNode(b[2]));
  });
  var colours = { full: '#ce0500', empty: '#0063cb', ok: '#18753c' };
  function get(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) { return r.json(); });
  }
  Promise.all([get(el.dataset.outlines), get(el.dataset.src)]).then(function (res) {
    var outlines = L.geoJSON(res[0], { style: { color: '#3a3a3a', weight: 1.5, fillColor: '#f6f6f6', fillOpacity: 1 } }).addTo(map);
    map.fitBounds(outlines.getBounds());
    map.attributionControl.setPrefix(false).addAttribution(res[1].attribution);
    res[1].waiting.forEach(function (w) {
      L.circleMarker([w.lat, w.lon], { radius: 4 + Math.sqrt(w.count) * 2, color: '#b34000', weight: 2, fill: false, dashArray: '3' })
        .bindTooltip(fill(el.dataset.waiting, [w.name, w.count])).addTo(map);
    });
    res[1].hubs.forEach(function (h) {
      var m = L.circleMarker([h.lat, h.lon], { radius: 3 + Math.sqrt(h.capacity) / 1.5, color: colours[h.state], weight: 1, fillOpacity: 0.7 });
      var a = document.createElement('a');
      a.href = '/poles/' + h.id;
      a.textContent = h.name + ' (' + h.commune + ')';
      var p = document.createElement('div');
      p.appendChild(a);
      p.appendChild(document.createElement('br'));
      p.appendChild(document.createTextNode(fill(el.dataset.hub, [h.placed, h.capacity, percent(h.percent), h.present])));
      m.bindPopup(p).addTo(map);
    });
  });
})();
