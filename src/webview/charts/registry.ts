// Every chart a card can pin, by the name its `tracked` wrapper records: the Pinned Charts view
// looks the pinned chart up here and draws it with the same data.
import type { Chart } from './common';
import { categoryBars } from './category-bars';
import { clusterMap } from './cluster-map';
import { headBars } from './head-bars';
import { headValueMap } from './head-value-map';
import { heatmap } from './heatmap';
import { histogram } from './histogram';
import { layerSweep } from './layer-sweep';
import { linePlot } from './line-plot';
import { scatter } from './scatter';
import { sentenceValues } from './sentence-values';
import { shuffleCheck } from './shuffle-check';
import { stripPlot } from './strip-plot';
import { tPlot } from './t-plot';
import { valueBars } from './value-bars';
import { waterfall } from './waterfall';

type AnyChartFunction = (container: HTMLElement, data: never, options?: never) => Chart<never, never>;

export const pinnableCharts: Readonly<Record<string, AnyChartFunction>> = Object.freeze({
  categoryBars, clusterMap, headBars, headValueMap, heatmap, histogram, layerSweep, linePlot, scatter, sentenceValues, shuffleCheck, stripPlot, tPlot, valueBars, waterfall,
} as unknown as Record<string, AnyChartFunction>);
