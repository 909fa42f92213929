/** A classifier's validation figures from its predicted probabilities. Pure. */

export interface Wrong {
  index: number; // the example's index in the labeled set
  truth: number; // its class
  predicted: number; // the class the model chose
  confidence: number; // the probability it gave that class
  text: string; // the text's start, for the page
}

export interface Metrics {
  accuracy: number; // 0-1
  macroF1: number; // mean over classes of F1 (a class never predicted nor present counts 0)
  confusion: number[][]; // [truth][predicted] counts
  wrong: Wrong[]; // the most confidently wrong, most confident first
}

const argmax = (row: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
};

/** probs: row-major [n, classes]; truth: [n]; indices: each row's example index. */
export function classifierMetrics(
  probs: Float32Array,
  truth: ArrayLike<number>,
  indices: number[],
  classes: number,
  textOf: (index: number) => string = () => '',
  worst = 5,
): Metrics {
  const n = truth.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const wrong: Wrong[] = [];
  for (let i = 0; i < n; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    const predicted = argmax(row);
    confusion[truth[i]][predicted]++;
    if (predicted !== truth[i])
      wrong.push({ index: indices[i], truth: truth[i], predicted, confidence: row[predicted], text: '' });
  }
  const correct = confusion.reduce((sum, row, c) => sum + row[c], 0);
  const f1 = confusion.map((row, c) => {
    const predictedC = confusion.reduce((sum, r) => sum + r[c], 0);
    const actualC = row.reduce((a, b) => a + b, 0);
    return predictedC + actualC === 0 ? 0 : (2 * row[c]) / (predictedC + actualC);
  });
  wrong.sort((a, b) => b.confidence - a.confidence);
  return {
    accuracy: n === 0 ? 0 : correct / n,
    macroF1: f1.reduce((a, b) => a + b, 0) / classes,
    confusion,
    wrong: wrong.slice(0, worst).map((w) => ({ ...w, text: textOf(w.index) })),
  };
}
