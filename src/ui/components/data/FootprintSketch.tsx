/**
 * A sketch of where the data lies: per location, the WGS84 footprints of every modality's images drawn to scale
 * (longitude shrunk by cos(latitude), north up) so overlap between modalities is visible at a glance; with several
 * locations, a world overview places them. Not a map: no basemap, nothing is fetched.
 */
import { useStudioStore } from '../../../store';
import type { Footprint, LocationSummary } from '../../../store/dataSlice';
import { fmtMetres } from './format';

const PALETTE = ['#4fd1c5', '#f6ad55', '#63b3ed', '#f687b3', '#9ae6b4', '#d6bcfa', '#faf089'];
const W = 260;
const H = 190;
const PAD = 14;

function key(fp: Footprint): string {
  return fp.map((p) => `${p.lon.toFixed(6)},${p.lat.toFixed(6)}`).join(';');
}

function LocationSketch({ location, colours }: { location: LocationSummary; colours: Map<string, string> }) {
  const lat0 = location.centre.lat;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const all = location.modalities.flatMap((m) => m.acquisitions.map((a) => a.footprint)).concat([location.footprint]);
  const xs = all.flatMap((f) => f.map((p) => p.lon * k));
  const ys = all.flatMap((f) => f.map((p) => p.lat));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = Math.min(...ys);
  const y1 = Math.max(...ys);
  const s = Math.min((W - 2 * PAD) / Math.max(x1 - x0, 1e-9), (H - 2 * PAD) / Math.max(y1 - y0, 1e-9));
  const ox = (W - s * (x1 - x0)) / 2;
  const oy = (H - s * (y1 - y0)) / 2;
  const pt = (lon: number, lat: number) => `${(ox + (lon * k - x0) * s).toFixed(1)},${(oy + (y1 - lat) * s).toFixed(1)}`;
  const poly = (fp: Footprint) => fp.map((p) => pt(p.lon, p.lat)).join(' ');
  // Ground size of the location box, for the caption (111.32 km per degree of latitude).
  const widthM = (x1 - x0) * 111320;
  const heightM = (y1 - y0) * 111320;
  const names = location.modalities.map((m) => m.name).join(', ');
  return (
    <figure className="dm-footprint" data-testid={`footprint-${location.id}`}>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`Footprints at ${location.id}: ${names}; about ${fmtMetres(widthM)} × ${fmtMetres(heightM)}`}>
        <rect x={0} y={0} width={W} height={H} className="dm-footprint-bg" />
        <polygon points={poly(location.footprint)} className="dm-footprint-union" />
        {location.modalities.map((m, mi) => {
          const seen = new Set<string>();
          // Dashes offset per modality: identical footprints still show every modality's colour along the outline.
          return (
            <g key={m.name} stroke={colours.get(m.name)} fill={colours.get(m.name)} strokeDashoffset={mi * 2.5}>
              {m.acquisitions
                .filter((a) => !seen.has(key(a.footprint)) && (seen.add(key(a.footprint)), true))
                .map((a) => (
                  <polygon key={a.id} points={poly(a.footprint)} className="dm-footprint-acq">
                    <title>
                      {m.name} {a.dateText ?? ''}
                    </title>
                  </polygon>
                ))}
            </g>
          );
        })}
        <text x={W - 8} y={16} textAnchor="end" className="dm-north" aria-hidden="true">
          N ↑
        </text>
      </svg>
      <figcaption className="small muted">
        {location.id}: {location.centre.lat.toFixed(3)}°, {location.centre.lon.toFixed(3)}° · {fmtMetres(widthM)} × {fmtMetres(heightM)}
      </figcaption>
    </figure>
  );
}

function WorldOverview({ locations }: { locations: LocationSummary[] }) {
  const x = (lon: number) => ((lon + 180) / 360) * W;
  const y = (lat: number) => ((90 - lat) / 180) * (W / 2);
  return (
    <figure className="dm-footprint">
      <svg viewBox={`0 0 ${W} ${W / 2}`} width={W} height={W / 2} role="img" aria-label={`World overview of ${locations.length} locations`}>
        <rect x={0} y={0} width={W} height={W / 2} className="dm-footprint-bg" />
        {[-60, -30, 0, 30, 60].map((lat) => (
          <line key={`lat${lat}`} x1={0} x2={W} y1={y(lat)} y2={y(lat)} className="dm-graticule" />
        ))}
        {[-120, -60, 0, 60, 120].map((lon) => (
          <line key={`lon${lon}`} x1={x(lon)} x2={x(lon)} y1={0} y2={W / 2} className="dm-graticule" />
        ))}
        {locations.map((l) => (
          <g key={l.id}>
            <circle cx={x(l.centre.lon)} cy={y(l.centre.lat)} r={4} className="dm-world-dot" />
            <text x={x(l.centre.lon) + 6} y={y(l.centre.lat) + 4} className="dm-world-label">
              {l.id}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="small muted">Locations (equirectangular, graticule every 30°/60°)</figcaption>
    </figure>
  );
}

export function FootprintSketch() {
  const locations = useStudioStore((s) => s.data.summary?.locations);
  if (!locations || locations.length === 0) return null;
  const names = [...new Set(locations.flatMap((l) => l.modalities.map((m) => m.name)))];
  const colours = new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length]]));
  return (
    <section className="dm-footprints" aria-labelledby="footprints-title">
      <h3 id="footprints-title">Footprints</h3>
      <p className="dm-legend small">
        {names.map((n) => (
          <span key={n} className="dm-legend-item">
            <span className="dm-swatch" style={{ background: colours.get(n) }} /> {n}
          </span>
        ))}
        <span className="dm-legend-item">
          <span className="dm-swatch dm-swatch-dashed" /> location
        </span>
      </p>
      <div className="dm-footprint-grid">
        {locations.length > 1 && <WorldOverview locations={locations} />}
        {locations.map((l) => (
          <LocationSketch key={l.id} location={l} colours={colours} />
        ))}
      </div>
    </section>
  );
}
