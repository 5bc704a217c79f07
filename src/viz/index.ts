/**
 * Figures, tables and reports. Builders return plain Plotly figure specs; `show` displays them in
 * a tslab notebook (one MIME bundle each), `writeReport` saves them as one self-contained HTML file.
 *
 * ```ts
 * import { lineChart, show } from "../src/viz";
 * show(lineChart([{ name: "loss", x: [0, 1, 2], y: [4.1, 3.2, 2.9] }], { xTitle: "step" }));
 * ```
 */
export { type MimeBundle, PLOTLY_MIME, PlotlySession, plotlyBundle } from "./bundle";
export {
  type BarSeries,
  groupedBars,
  type LineSeries,
  lineChart,
  type ScatterSeries,
  scatterChart,
} from "./charts";
export {
  displayBundle,
  inNotebook,
  LiveFigure,
  liveFigure,
  setDisplaySink,
  show,
  showHtml,
  showTable,
} from "./display";
export { type AxesOptions, describeFigure, type Figure, PALETTE, type Trace } from "./figure";
export { type HeatmapOptions, heatmap, type Matrix, subplots } from "./heatmap";
export { type GridImage, imageGrid, imagesFromBatch } from "./images";
export { type ReportBlock, type ReportFigure, renderReport, writeReport, writeReportBlocks } from "./report";
export { meanStd, type ResultRecord, resultsTable, seriesBy, varyingFields } from "./results";
export { evalFigure, evalKeys, lossFigure, type RunLog, readRunLog, runsTable, stepFigure } from "./runs";
export { type Cell, makeTable, type Row, Table } from "./table";
