// Static word vectors: format detection, streaming lookup, vocabulary scans, full loads, the catalog.
export type { VectorFormat, VectorFileInfo, VectorLookup, LoadedVectors } from './types';
export { detectVectorFile, describeFormat } from './detect';
export { lookupVectors } from './lookup';
export { scanVocabulary, type VocabularyScan } from './scan';
export { loadVectors } from './load';
export { writeVectorFile, type WriteVectorOptions } from './write';
export { VECTOR_CATALOG, PACKAGED_GLOVE_NAME, GENSIM_DATA_BASE_URL, findCatalogVectors, catalogUrl, catalogCachePath, ensureCatalogVectors, type VectorCatalogEntry, type EnsureCatalogOptions } from './catalog';
export { resolveVectorSpec, vectorSpecPath, lookupVectorSpec, type VectorSpec } from './spec';
export { findPackagedGlove, readPackagedGlove, ensurePackagedVectors, packagedGloveInstallCommand, PACKAGED_GLOVE_PACKAGE, type PackagedGloveRow } from './packaged-glove';
