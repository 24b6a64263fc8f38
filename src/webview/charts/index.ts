// Every chart, for the panels and for tests that render one chart alone.
export { heatmap, autoDomain, colorScale, categoryBlocks, type HeatmapChart, type HeatmapData, type HeatmapOptions } from './heatmap';
export { stripPlot, type StripPlotData, type StripPlotOptions } from './strip-plot';
export { scatter, statsLine, type ScatterData, type ScatterOptions } from './scatter';
export { categoryBars, type CategoryBarsData } from './category-bars';
export { linePlot, type LinePlotData } from './line-plot';
export { histogram, type HistogramData } from './histogram';
export { missingBanner, type MissingBannerData } from './banner';
export type { Chart } from './common';
