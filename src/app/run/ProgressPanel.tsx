/**
 * Live progress of a run: the stage list with a bar and time estimate per stage, each autoencoder's loss
 * curve, with bulk RNA-seq the deconvolution's optimisation curves, the convergence chart (clusters, agreement with the previous iteration, graph change per
 * iteration), and the current cluster sizes.
 */
import { useEffect, useState } from 'react';
import { clusterColor } from '../../layout/palette.ts';
import { stageEta, type LossCurve, type StageState } from './run-state.ts';
import { useAppStore } from '../store.ts';
import { LineChart } from './LineChart.tsx';

function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
}

function StageRow({ s, now }: { s: StageState; now: number }) {
  const eta = stageEta(s, now);
  const pct = Math.round(s.fraction * 100);
  return (
    <li className={`stage stage-${s.status}`}>
      <span className="stage-label">
        {s.label}
        {s.iteration ? <span className="stage-iteration"> · iteration {s.iteration}</span> : null}
      </span>
      <progress max={100} value={pct} aria-label={`${s.label}: ${pct} %`} />
      <span className="stage-time">
        {s.status === 'done' && s.seconds !== null
          ? seconds(s.seconds)
          : eta !== null
            ? `about ${seconds(eta)} left`
            : (s.message ?? '…')}
      </span>
    </li>
  );
}

/** Re-render every second while running (time estimates). */
function useClock(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(id);
  }, [active]);
  return now;
}

const MODEL_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];
/** The bulk deconvolution's optimisations: proportions, profiles, gene-wise scale. */
const BULK_COLORS = ['#009e73', '#cc79a7', '#e69f00'];

function lossSeries(losses: LossCurve[]) {
  // One line per kind of model; the cluster autoencoders share a colour family by cluster.
  return losses.slice(0, 24).map((c, i) => ({
    name: c.model,
    values: c.losses,
    color: c.model.startsWith('cluster-ae')
      ? clusterColor(Number(c.model.split(' ')[1] ?? i))
      : MODEL_COLORS[i % MODEL_COLORS.length]!,
  }));
}

export function ProgressPanel() {
  const run = useAppStore((s) => s.run);
  const now = useClock(run.status === 'running' || run.status === 'cancelling');
  if (run.status === 'idle') return null;
  const its = run.iterations;
  const lastSizes = its.at(-1)?.clusterSizes ?? [];
  const total = lastSizes.reduce((a, b) => a + b, 0);
  const isBulk = (c: LossCurve) => c.model.startsWith('bulk');
  const main = run.losses.filter((c) => !c.model.startsWith('cluster-ae') && !isBulk(c));
  const clusterAes = run.losses.filter((c) => c.model.startsWith('cluster-ae'));
  const bulk = run.losses.filter(isBulk);
  return (
    <section className="panel" aria-labelledby="progress-title">
      <h2 id="progress-title">Progress</h2>
      <ol className="stages" aria-label="Stages">
        {run.stages.map((s) => (
          <StageRow key={`${s.key}-${s.startedAt}`} s={s} now={now} />
        ))}
      </ol>
      <div className="charts">
        {main.length ? (
          <LineChart
            title="Training loss"
            series={lossSeries(main)}
            xLabel="epoch (all phases in order)"
            yLabel="loss"
            log
            summary={main
              .map(
                (c) => `${c.model}: ${c.losses.length} epochs, last loss ${c.losses.at(-1)?.toPrecision(4)}`,
              )
              .join('; ')}
          />
        ) : null}
        {clusterAes.length ? (
          <LineChart
            title="Cluster autoencoders"
            series={lossSeries(clusterAes)}
            xLabel="epoch"
            yLabel="loss"
            log
            summary={`${clusterAes.length} cluster autoencoders trained`}
          />
        ) : null}
        {bulk.length ? (
          <div data-testid="bulk-losses">
            <LineChart
              title="Bulk deconvolution"
              series={bulk.map((c, i) => ({
                name: c.model,
                values: c.losses,
                color: BULK_COLORS[i % BULK_COLORS.length]!,
              }))}
              xLabel="loss reading (each deconvolution in order)"
              yLabel="loss"
              log
              summary={bulk
                .map(
                  (c) => `${c.model}: ${c.losses.length} steps, last loss ${c.losses.at(-1)?.toPrecision(4)}`,
                )
                .join('; ')}
            />
          </div>
        ) : null}
        <div data-testid="convergence">
          <LineChart
            title="Convergence per iteration"
            series={[
              {
                name: 'agreement with previous (ARI)',
                values: its.map((i) => (i.iteration > 1 ? i.agreement : NaN)),
                x: its.map((i) => i.iteration),
                color: '#0072b2',
              },
              {
                name: 'graph change (fraction of edges)',
                values: its.map((i) => (i.iteration > 1 ? i.graphChange : NaN)),
                x: its.map((i) => i.iteration),
                color: '#d55e00',
              },
            ]}
            xLabel="iteration"
            yLabel="0 – 1"
            yRange={[0, 1]}
            markers
            summary={its
              .map(
                (i) =>
                  `iteration ${i.iteration}: ${i.nClusters} clusters, agreement ${i.agreement.toFixed(3)}, graph change ${(i.graphChange * 100).toFixed(1)} %`,
              )
              .join('; ')}
          />
          <table className="iterations">
            <caption>Iterations</caption>
            <thead>
              <tr>
                <th scope="col">Iteration</th>
                <th scope="col">Clusters</th>
                <th scope="col">Agreement with previous</th>
                <th scope="col">Graph change</th>
              </tr>
            </thead>
            <tbody>
              {its.map((i) => (
                <tr key={i.iteration} data-testid="iteration-row">
                  <td>{i.iteration}</td>
                  <td>{i.nClusters}</td>
                  <td>{i.iteration > 1 ? i.agreement.toFixed(3) : '–'}</td>
                  <td>{i.iteration > 1 ? `${(i.graphChange * 100).toFixed(1)} %` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {lastSizes.length ? (
        <div className="cluster-sizes">
          <h3>Cluster sizes (iteration {its.at(-1)!.iteration})</h3>
          <ul aria-label="Cluster sizes">
            {lastSizes.map((n, c) => (
              <li key={c}>
                <span className="swatch" style={{ background: clusterColor(c) }} aria-hidden="true" />
                Cluster {c}: {n} cells
                <span
                  className="bar"
                  style={{ width: `${(100 * n) / Math.max(1, total)}%`, background: clusterColor(c) }}
                  aria-hidden="true"
                />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
