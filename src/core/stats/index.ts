// Statistics for the jobs: similarity matrices, selectivity, RSA, t-tests, corrections, histograms.
export { cosineSimilarityMatrix, gramMatrix, cosineBetween, type CosineSimilarity } from './similarity';
export { upperTriangle, pearson, spearman, cosineAgreement, averageRanks, mean } from './correlation';
export { selectivityIndex, withinBetweenValues, type WithinBetweenValues, type CategoryPairValues } from './selectivity';
export { representationalSimilarity, rsaByCategory, subMatrix, type RsaOptions, type CategoryRsa } from './rsa';
export { twoSampleTTest, type TTestOptions, type TTestResult } from './ttest';
export { logGamma, logBeta, regularizedIncompleteBeta, studentTTwoSidedP } from './distributions';
export { bonferroni, benjaminiHochberg, type Correction } from './corrections';
export { labelPermutationCheck, type LabelPermutationOptions, type LabelPermutationResult } from './label-permutation';
export { histogram, type Histogram, type HistogramOptions } from './histogram';
