// GREENer: sentence features and relevance labels from prepared reviews, then the GAT + DCN scorer.
// Needs the optional NLP packages for data preparation (npm i wink-nlp wink-eng-lite-web-model).
import path from "node:path";
import { dataRoot, prepareGreenerData, trainGreener } from "recforge";

const file = path.join(dataRoot(), "amazon-musical-instruments-5core", "reviews_Musical_Instruments_5.json.gz");
const { data } = await prepareGreenerData(file); // cached next to the file after the first run
const result = await trainGreener({
  data, epochs: 2, batchSize: 32,
  onProgress: (e) => console.log(`greener ${e.phase} ${e.step}/${e.steps}${e.loss === undefined ? "" : ` loss ${e.loss.toFixed(4)}`}`),
});
console.log(`top-5 selection on the test pairs: BLEU-4 ${result.quality?.bleu4.toFixed(4)}, ROUGE-L ${result.quality?.rougeL.toFixed(4)}`);
const review = data.reviewsOf("test")[0];
console.log(`scores of review ${review}'s candidates:`, result.scorer.scores(review).sentence);
result.dispose(); // the model and the sentence table
