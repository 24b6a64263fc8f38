export { dbscan, type DbscanOptions } from './dbscan';
export { kmeans, type KmeansOptions, type KmeansResult } from './kmeans';
export { summarizeClusters, type ClusterInfo } from './summary';
