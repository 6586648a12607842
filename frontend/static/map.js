// The occupancy map: département outlines and hubs, no tile server (works offline). Colours are
// the DSFR's: red above 90 %, blue under 20 %, green between; size follows capacity.
(function () {
  var el = document.getElementById('carte');
  if (!el || !window.L) return;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
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
        .bindTooltip(w.name + ' : ' + w.count + ' en attente').addTo(map);
    });
    res[1].hubs.forEach(function (h) {
      var m = L.circleMarker([h.lat, h.lon], { radius: 3 + Math.sqrt(h.capacity) / 1.5, color: colours[h.state], weight: 1, fillOpacity: 0.7 });
      var a = document.createElement('a');
      a.href = '/poles/' + h.id;
      a.textContent = h.name + ' (' + h.commune + ')';
      var p = document.createElement('div');
      p.appendChild(a);
      p.appendChild(document.createElement('br'));
      p.appendChild(document.createTextNode(h.placed + ' / ' + h.capacity + ' (' + h.percent + ' %), ' + h.present + ' présents'));
      m.bindPopup(p).addTo(map);
    });
  });
})();
