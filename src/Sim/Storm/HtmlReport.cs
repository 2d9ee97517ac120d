using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// One self-contained HTML page per run: the data is embedded as JSON and drawn into inline SVG by inline
/// script, so the file opens offline and loads nothing from anywhere. The summary table is rendered here,
/// so it reads even with scripts off.
/// </summary>
internal static class HtmlReport
{
    public static string Render(StormResult result, IReadOnlyList<StormSummary> comparison)
    {
        var scenario = result.Scenario;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<title>Storm: ").Append(Encode(result.Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>Storm: <span id=\"scenario-name\">").Append(Encode(result.Title)).Append("</span></h1>\n")
            .Append("<p class=\"desc\">").Append(Encode(scenario.Description)).Append("</p>\n")
            .Append("<p class=\"meta\">topology ").Append(Encode(scenario.Topology.Name))
            .Append(" · ").Append(scenario.Clients.ToString("N0", CultureInfo.InvariantCulture)).Append(" clients")
            .Append(" · policy ").Append(Encode(result.Summary.Policy))
            .Append(" · seed ").Append(scenario.Seed.ToString(CultureInfo.InvariantCulture))
            .Append(" · ").Append(scenario.DurationSeconds.ToString("0.#", CultureInfo.InvariantCulture)).Append(result.OnWallClock ? " s of wall-clock time</p>\n" : " s of virtual time</p>\n");
        AppendSummaryTable(html, comparison, result.Summary);
        html.Append("<h2>Topology</h2>\n<svg id=\"topology\" role=\"img\" aria-label=\"cluster topology\"></svg>\n")
            .Append("<h2>The storm over time</h2>\n<div class=\"charts\">\n");
        foreach (string chart in new[] { "chart-inflight", "chart-amplification", "chart-goodput", "chart-latency", "chart-errors" })
            html.Append("<svg id=\"").Append(chart).Append("\" class=\"chart\"></svg>\n");
        html.Append("</div>\n<script type=\"application/json\" id=\"storm-data\">")
            .Append(DataJson(result))
            .Append("</script>\n<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static void AppendSummaryTable(StringBuilder html, IReadOnlyList<StormSummary> summaries, StormSummary current)
    {
        string[] headers = ["scenario", "policy", "clients", "needed", "sent", "amplification", "p50 ms", "p99 ms", "p99.9 ms", "goodput/s", "goodput %", "lost", "duplicated", "to dead broker"];
        html.Append("<table id=\"summary\">\n<tr>");
        foreach (var header in headers)
            html.Append("<th>").Append(Encode(header)).Append("</th>");
        html.Append("</tr>\n");
        var invariant = CultureInfo.InvariantCulture;
        foreach (var s in summaries)
        {
            html.Append(ReferenceEquals(s, current) ? "<tr class=\"current\">" : "<tr>");
            foreach (var cell in new[]
                     {
                         s.Scenario, s.Policy, s.Clients.ToString("N0", invariant), s.OperationsNeeded.ToString("N0", invariant),
                         s.RequestsSent.ToString("N0", invariant), s.Amplification.ToString("0.00", invariant),
                         s.P50Ms.ToString("0.0", invariant), s.P99Ms.ToString("0.0", invariant), s.P999Ms.ToString("0.0", invariant),
                         s.GoodputPerSecond.ToString("N0", invariant), s.GoodputPercent.ToString("0.0", invariant),
                         s.Lost.ToString("N0", invariant), s.Duplicated.ToString("N0", invariant), s.SentToDeadBrokers.ToString("N0", invariant),
                     })
            {
                html.Append("<td>").Append(Encode(cell)).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>The page's data. The default encoder escapes &lt; and &gt;, so the JSON cannot close its script element.</summary>
    private static string DataJson(StormResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("scenario", result.Scenario.Name);
            json.WritePropertyName("summary");
            StormReport.WriteSummary(json, result.Summary);
            json.WriteStartArray("regions");
            foreach (string region in result.Scenario.Topology.Regions)
            {
                json.WriteStartObject();
                json.WriteString("name", region);
                json.WriteStartArray("zones");
                foreach (string zone in result.Scenario.Topology.Zones.Where(zone => result.Scenario.Topology.RegionOf(zone) == region))
                {
                    json.WriteStartObject();
                    json.WriteString("name", zone);
                    json.WriteStartArray("brokers");
                    foreach (var broker in result.Brokers.Where(broker => broker.Spec.Zone == zone))
                    {
                        json.WriteStartObject();
                        json.WriteNumber("id", broker.Spec.Id);
                        json.WriteString("state", !broker.Alive ? "dead" : broker.Degraded ? "degraded" : "alive");
                        json.WriteNumber("leaders", broker.Leaderships);
                        json.WriteNumber("received", broker.Received);
                        json.WriteNumber("served", broker.Served);
                        json.WriteNumber("receivedWhileDead", broker.ReceivedWhileDead);
                        json.WriteNumber("rejected", broker.Rejected);
                        json.WriteNumber("shed", broker.Shed);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteStartArray("groups");
                    foreach (var group in result.ClientGroups.Where(group => group.Zone == zone))
                    {
                        json.WriteStartObject();
                        json.WriteString("kind", group.Kind);
                        json.WriteNumber("count", group.Count);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("traffic");
            foreach (var flow in result.Traffic)
            {
                json.WriteStartObject();
                json.WriteString("zone", flow.Zone);
                json.WriteString("kind", flow.Kind);
                json.WriteNumber("broker", flow.BrokerId);
                json.WriteNumber("requests", flow.Requests);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("faults");
            foreach (var fault in result.Faults)
            {
                json.WriteStartObject();
                json.WriteNumber("atSeconds", fault.AtSeconds);
                json.WriteString("label", fault.Label);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("series");
            foreach (var sample in result.Series)
                StormReport.WriteSample(json, sample);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fafafa; }
        h1 { margin-bottom: 4px; }
        .desc { max-width: 1100px; }
        .meta { color: #666; }
        table { border-collapse: collapse; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
        th { background: #eee; }
        tr.current td { background: #fff3c4; font-weight: 600; }
        #topology { width: 1300px; height: 360px; background: #fff; border: 1px solid #ddd; }
        .charts { display: grid; grid-template-columns: repeat(2, 640px); gap: 12px; }
        .chart { width: 640px; height: 260px; background: #fff; border: 1px solid #ddd; }
        svg text { font-size: 11px; fill: #333; }
        svg .title { font-size: 13px; font-weight: 600; }

        """;

    private const string Script = """
        (function () {
          'use strict';
          const data = JSON.parse(document.getElementById('storm-data').textContent);
          const NS = 'http://www.w3.org/2000/svg';
          const colors = { alive: '#2e7d32', dead: '#c62828', degraded: '#ef6c00', producers: '#1565c0', consumers: '#6a1b9a' };

          function el(parent, name, attrs, text) {
            const node = document.createElementNS(NS, name);
            for (const key in attrs) node.setAttribute(key, attrs[key]);
            if (text !== undefined) node.textContent = text;
            parent.appendChild(node);
            return node;
          }

          function fmt(value) {
            const abs = Math.abs(value);
            if (abs >= 1e6) return (value / 1e6).toFixed(1) + 'M';
            if (abs >= 1e4) return (value / 1e3).toFixed(0) + 'k';
            if (abs >= 1e3) return (value / 1e3).toFixed(1) + 'k';
            if (abs >= 10 || value === 0) return Math.round(value).toString();
            return value.toFixed(abs >= 1 ? 1 : 2);
          }

          function drawTopology() {
            const svg = document.getElementById('topology');
            const width = 1300, height = 360;
            svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
            const zoneCount = data.regions.reduce((n, region) => n + region.zones.length, 0);
            const gap = 16;
            // Width = gap + per region (gap + zones * (zoneWidth + gap) + gap).
            const zoneWidth = Math.min(400, (width - gap - 2 * gap * data.regions.length) / zoneCount - gap);
            const brokerPos = {}, groupPos = [];
            // Layers: boxes behind traffic lines behind nodes.
            const boxes = el(svg, 'g', { id: 'topology-boxes' });
            const lines = el(svg, 'g', { id: 'topology-traffic' });
            const nodes = el(svg, 'g', { id: 'topology-nodes' });
            let x = gap;
            for (const region of data.regions) {
              const regionWidth = region.zones.length * (zoneWidth + gap) + gap;
              el(boxes, 'rect', { x: x, y: 8, width: regionWidth, height: height - 16, rx: 10, fill: '#f1f5fb', stroke: '#90a4ae' });
              el(boxes, 'text', { x: x + 10, y: 26, class: 'title' }, 'region ' + region.name);
              let zx = x + gap;
              for (const zone of region.zones) {
                el(boxes, 'rect', { x: zx, y: 36, width: zoneWidth, height: height - 56, rx: 8, fill: '#ffffff', stroke: '#b0bec5', 'stroke-dasharray': '4 3' });
                el(boxes, 'text', { x: zx + 8, y: 54 }, 'zone ' + zone.name);
                const step = zoneWidth / (zone.brokers.length + 1);
                zone.brokers.forEach((broker, i) => {
                  const cx = zx + step * (i + 1), cy = 110;
                  brokerPos[broker.id] = { x: cx, y: cy };
                  const g = el(nodes, 'g', { class: 'broker', id: 'broker-' + broker.id });
                  el(g, 'circle', { cx: cx, cy: cy, r: 24, fill: colors[broker.state], stroke: '#1b1b1b' });
                  el(g, 'text', { x: cx, y: cy + 4, 'text-anchor': 'middle', style: 'fill:#fff;font-weight:600' }, 'b' + broker.id);
                  el(g, 'text', { x: cx, y: cy + 40, 'text-anchor': 'middle', style: 'fill:' + colors[broker.state] }, broker.state);
                  el(g, 'text', { x: cx, y: cy + 54, 'text-anchor': 'middle' }, broker.leaders + ' leaders');
                  el(g, 'text', { x: cx, y: cy + 68, 'text-anchor': 'middle' }, fmt(broker.received) + ' recv');
                  if (broker.receivedWhileDead > 0)
                    el(g, 'text', { x: cx, y: cy + 82, 'text-anchor': 'middle', style: 'fill:' + colors.dead }, fmt(broker.receivedWhileDead) + ' while dead');
                });
                const boxWidth = Math.min(150, (zoneWidth - 30) / Math.max(1, zone.groups.length));
                const groupsLeft = zx + (zoneWidth - zone.groups.length * (boxWidth + 10) + 10) / 2;
                zone.groups.forEach((group, i) => {
                  const bx = groupsLeft + i * (boxWidth + 10), by = height - 90;
                  groupPos.push({ zone: zone.name, kind: group.kind, x: bx + boxWidth / 2, y: by });
                  const g = el(nodes, 'g', { class: 'client-group' });
                  el(g, 'rect', { x: bx, y: by, width: boxWidth, height: 46, rx: 6, fill: colors[group.kind], opacity: 0.85 });
                  el(g, 'text', { x: bx + boxWidth / 2, y: by + 19, 'text-anchor': 'middle', style: 'fill:#fff;font-weight:600' }, fmt(group.count));
                  el(g, 'text', { x: bx + boxWidth / 2, y: by + 35, 'text-anchor': 'middle', style: 'fill:#fff' }, group.kind);
                });
                zx += zoneWidth + gap;
              }
              x += regionWidth + gap;
            }
            const maxRequests = Math.max(1, ...data.traffic.map(flow => flow.requests));
            for (const flow of data.traffic) {
              const from = groupPos.find(p => p.zone === flow.zone && p.kind === flow.kind);
              const to = brokerPos[flow.broker];
              if (!from || !to) continue;
              const w = 0.5 + 6 * Math.log1p(flow.requests) / Math.log1p(maxRequests);
              el(lines, 'line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y + 24, stroke: colors[flow.kind], 'stroke-width': w.toFixed(2), opacity: 0.3 });
            }
            const chaos = data.faults.map(f => f.label + ' @' + f.atSeconds.toFixed(0) + 's').join(' · ');
            el(nodes, 'text', { x: 24, y: height - 16, style: 'fill:#c62828' }, chaos ? 'chaos: ' + chaos : 'no chaos');
            const legend = el(svg, 'g', { id: 'topology-legend' });
            [['alive', 'broker alive'], ['degraded', 'broker slowed'], ['dead', 'broker dead'], ['producers', 'producers'], ['consumers', 'consumers']].forEach((entry, i) => {
              const lx = width - 520 + i * 100;
              el(legend, 'rect', { x: lx, y: height - 25, width: 10, height: 10, fill: colors[entry[0]] });
              el(legend, 'text', { x: lx + 14, y: height - 16 }, entry[1]);
            });
          }

          function lineChart(id, title, series, options) {
            const svg = document.getElementById(id);
            const W = 640, H = 260, m = { l: 56, r: 14, t: 30, b: 34 };
            svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
            el(svg, 'text', { x: m.l, y: 18, class: 'title' }, title);
            const seconds = data.series.map(s => s.second);
            const xMax = Math.max(1, ...seconds);
            const all = [].concat(...series.map(s => s.values));
            const log = !!(options && options.log);
            const positive = all.filter(v => v > 0);
            let yMin = log ? Math.pow(10, Math.floor(Math.log10(Math.min(1, ...positive)))) : 0;
            let yMax = Math.max(log ? 10 : 1, ...all);
            if (log) yMax = Math.pow(10, Math.ceil(Math.log10(yMax)));
            const sx = v => m.l + (W - m.l - m.r) * v / xMax;
            const sy = v => {
              const f = log ? (Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : v / yMax;
              return H - m.b - (H - m.t - m.b) * f;
            };
            const ticks = [];
            if (log) for (let v = yMin; v <= yMax * 1.0001; v *= 10) ticks.push(v);
            else for (let i = 0; i <= 4; i++) ticks.push(yMax * i / 4);
            for (const v of ticks) {
              el(svg, 'line', { x1: m.l, x2: W - m.r, y1: sy(v), y2: sy(v), stroke: '#eee' });
              el(svg, 'text', { x: m.l - 6, y: sy(v) + 4, 'text-anchor': 'end' }, fmt(v));
            }
            const xStep = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600].find(s => s >= xMax / 7) || Math.ceil(xMax / 7);
            for (let v = 0; v <= xMax; v += xStep)
              el(svg, 'text', { x: sx(v), y: H - m.b + 16, 'text-anchor': 'middle' }, v + 's');
            el(svg, 'line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, stroke: '#888' });
            el(svg, 'line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, stroke: '#888' });
            data.faults.forEach((fault, i) => {
              const fx = sx(fault.atSeconds);
              el(svg, 'line', { x1: fx, x2: fx, y1: m.t, y2: H - m.b, stroke: '#c62828', 'stroke-dasharray': '3 3', class: 'fault' });
              el(svg, 'text', { x: fx + 3, y: m.t + 10 + (i % 3) * 12, style: 'fill:#c62828;font-size:10px' }, fault.label);
            });
            series.forEach((s, i) => {
              const points = s.values.map((v, j) => sx(seconds[j]).toFixed(1) + ',' + sy(v).toFixed(1)).join(' ');
              el(svg, 'polyline', { points: points, fill: 'none', stroke: s.color, 'stroke-width': 1.6, class: 'series' });
              el(svg, 'rect', { x: W - m.r - 150, y: m.t + i * 14 - 8, width: 10, height: 3, fill: s.color });
              el(svg, 'text', { x: W - m.r - 136, y: m.t + i * 14 - 4 }, s.name);
            });
          }

          const pick = key => data.series.map(s => s[key]);
          drawTopology();
          lineChart('chart-inflight', 'Requests in flight', [{ name: 'in flight', color: '#1565c0', values: pick('inFlight') }]);
          lineChart('chart-amplification', 'Amplification (requests sent / operations needed)', [{ name: 'amplification', color: '#c62828', values: pick('amplification') }]);
          lineChart('chart-goodput', 'Offered load vs goodput (per second)', [
            { name: 'requests offered', color: '#ef6c00', values: pick('offered') },
            { name: 'operations needed', color: '#757575', values: pick('needed') },
            { name: 'goodput (succeeded)', color: '#2e7d32', values: pick('completed') }]);
          lineChart('chart-latency', 'Time to a verdict, success or failure (ms, log scale)', [
            { name: 'p50', color: '#2e7d32', values: pick('p50Ms') },
            { name: 'p99', color: '#ef6c00', values: pick('p99Ms') },
            { name: 'p99.9', color: '#c62828', values: pick('p999Ms') }], { log: true });
          lineChart('chart-errors', 'Timeouts, retries and requests to dead brokers (per second)', [
            { name: 'timeouts', color: '#c62828', values: pick('timeouts') },
            { name: 'retries', color: '#ef6c00', values: pick('retries') },
            { name: 'to dead brokers', color: '#6a1b9a', values: pick('deadBrokerRequests') }]);
          document.body.setAttribute('data-rendered', 'true');
        })();

        """;
}
