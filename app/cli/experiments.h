#pragma once

class ExperimentContext;

/// The experiments of "uai-cli experiment". Each writes its files into the context's output
/// folder, prints progress to stdout and errors to stderr, and returns a CliExitCode.

/// Runs "curves": discovery curves of the base model alone and with the UAI layer, for both
/// models, drawn as mean lines with min-to-max bands over the seeds.
int runCurvesExperiment(ExperimentContext &context);

/// Runs "table2": recall at a budget equal to the anomaly count on every table, next to the
/// published values.
int runTable2Experiment(ExperimentContext &context);

/// Runs "latent": charts of a 1-unit latent against the anomaly score at several verdict counts.
int runLatentExperiment(ExperimentContext &context);

/// Runs "methods": the table2 runs for each named method of applyMethod(), on the same seeds.
int runMethodsExperiment(ExperimentContext &context);

/// Runs "images": the autoencoder on the image sets with each named method of applyMethod()
/// (score-forest-layer unless --methods names others), next to the published method's runs of
/// the same seeds that the curves experiment wrote into curves-runs.csv.
int runImagesExperiment(ExperimentContext &context);

/// Writes the overview page that links the experiments' files in the output folder and
/// compares the measured table2 recall with the published values.
int runOverview(ExperimentContext &context);
