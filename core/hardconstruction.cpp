#include "hardconstruction.h"

#include "tfrmsprop.h"
#include "uainetwork.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <cstring>

namespace uai {

Result<Dataset> makeHardSet(const Dataset &labeled, std::uint64_t seed, const QString &name)
{
    if (!labeled.hasClasses())
        return fail(QStringLiteral("Cannot build \"%1\": \"%2\" has no class labels.")
                        .arg(name, labeled.name));

    std::vector<std::int64_t> predicted(static_cast<size_t>(labeled.itemCount));
    try {
        at::Generator generator = at::detail::createCPUGenerator(seed);
        const at::Tensor features = at::from_blob(const_cast<float *>(labeled.features.data()),
                                                  {labeled.itemCount, labeled.featureCount},
                                                  at::kFloat);
        std::vector<std::int64_t> classValues(labeled.classes.begin(), labeled.classes.end());
        const at::Tensor classes =
            at::from_blob(classValues.data(), {labeled.itemCount}, at::kLong);
        const auto classCount = static_cast<int>(labeled.classNames.size());
        const DenseLayer hidden =
            DenseLayer::create(static_cast<int>(labeled.featureCount), kHardHiddenUnits, generator);
        const DenseLayer output = DenseLayer::create(kHardHiddenUnits, classCount, generator);
        TfRmsprop optimizer({hidden.weight, hidden.bias, output.weight, output.bias}, 0.01);
        const std::int64_t batch = std::min<std::int64_t>(256, labeled.itemCount);
        for (int step = 0; step < kHardTrainingSteps; ++step) {
            const at::Tensor rows = at::randint(labeled.itemCount, {batch}, generator, at::kLong);
            const at::Tensor logits =
                output.forward(at::relu(hidden.forward(features.index_select(0, rows))));
            const at::Tensor loss = at::cross_entropy_loss(logits, classes.index_select(0, rows));
            optimizer.zeroGrad();
            loss.backward();
            optimizer.step();
        }
        c10::InferenceMode inferenceMode;
        const at::Tensor best = output.forward(at::relu(hidden.forward(features))).argmax(1);
        std::memcpy(predicted.data(),
                    best.contiguous().data_ptr<std::int64_t>(),
                    predicted.size() * sizeof(std::int64_t));
    } catch (const std::exception &error) {
        return fail(QStringLiteral("Cannot build \"%1\": training the weak classifier failed: %2")
                        .arg(name, QString::fromUtf8(error.what())));
    }

    Dataset result = labeled;
    result.name = name;
    result.truth.resize(static_cast<size_t>(labeled.itemCount));
    for (size_t i = 0; i < predicted.size(); ++i) {
        const bool wrong = predicted[i] != labeled.classes[i];
        result.truth[i] = wrong ? Truth::Anomaly : Truth::Normal;
    }
    const qsizetype anomalies = result.anomalyCount();
    if (anomalies == 0)
        return fail(
            QStringLiteral("Cannot build \"%1\": the weak classifier misclassified no item, "
                           "so there are no anomalies.")
                .arg(name));
    result.importNotes.append(
        QStringLiteral("A classifier with one hidden layer of %1 units, trained for %2 steps, "
                       "misclassified %3 of %4 items (%5%); those are the anomalies.")
            .arg(kHardHiddenUnits)
            .arg(kHardTrainingSteps)
            .arg(anomalies)
            .arg(labeled.itemCount)
            .arg(100.0 * double(anomalies) / double(labeled.itemCount), 0, 'f', 1));
    return result;
}

} // namespace uai
