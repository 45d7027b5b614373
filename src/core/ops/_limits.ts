// S3's documented limits that more than one operation enforces.

/** Part numbers run 1..10,000 in uploads and in partNumber reads. */
export const MAX_PART_NUMBER = 10_000;
/** S3's minimum size of every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
