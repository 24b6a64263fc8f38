// Word lists and sentence sets: the text inputs of every job.
export { parseWordList, readWordListFile, type WordList, type WordListItem } from './word-list';
export { parseSentenceSet, readSentenceSetFile, type SentenceSet, type Sentence } from './sentence-set';
export { decodeUtf8, readUtf8File } from './lines';
