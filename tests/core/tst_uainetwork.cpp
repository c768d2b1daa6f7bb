#include "uainetwork.h"

#include <QTest>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

class tst_UaiNetwork : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verdictLossMovesLatentNotScore_data();
    void verdictLossMovesLatentNotScore();
    void autoencoderLossSumsOverFeatures();
};

void tst_UaiNetwork::verdictLossMovesLatentNotScore_data()
{
    QTest::addColumn<int>("model");
    QTest::newRow("autoencoder") << int(uai::ModelKind::Autoencoder);
    QTest::newRow("classifier") << int(uai::ModelKind::Classifier);
}

void tst_UaiNetwork::verdictLossMovesLatentNotScore()
{
    QFETCH(int, model);
    const auto kind = static_cast<uai::ModelKind>(model);
    at::Generator generator = at::detail::createCPUGenerator(7);
    const std::vector<int> hidden{16, 8, 3};
    uai::UaiNetwork network(kind, 12, 4, hidden, 0.1, generator);
    const at::Tensor input = at::randn({32, 12}, generator, at::kFloat);
    const at::Tensor classes = at::randint(4, {32}, generator, at::kLong);
    const at::Tensor targets = (at::arange(32) % 2).to(at::kFloat);

    const auto pass = network.forward(input, classes, false, nullptr);
    const at::Tensor logits = network.uaiLogit(pass.latent, pass.itemLoss);
    at::binary_cross_entropy_with_logits(logits, targets).backward();

    // The encoder (or the classifier's hidden layers) produces the latent: 3 layers, 6 tensors.
    const auto parameters = network.baseParameters();
    const size_t encoderTensors = hidden.size() * 2;
    for (size_t i = 0; i < encoderTensors; i += 2) {
        QVERIFY2(parameters[i].grad().defined(),
                 qPrintable(QStringLiteral("encoder layer %1").arg(i / 2)));
        QVERIFY(parameters[i].grad().abs().sum().item<float>() > 0.0f);
    }
    // Layers that only produce the anomaly score get no gradient from the verdict loss.
    for (size_t i = encoderTensors; i < parameters.size(); ++i) {
        const at::Tensor &grad = parameters[i].grad();
        QVERIFY2(!grad.defined() || grad.abs().sum().item<float>() == 0.0f,
                 qPrintable(QStringLiteral("score-only tensor %1 has a gradient").arg(i)));
    }
    QVERIFY(network.uaiWeight().grad().defined());
}

void tst_UaiNetwork::autoencoderLossSumsOverFeatures()
{
    at::Generator generator = at::detail::createCPUGenerator(3);
    uai::UaiNetwork network(uai::ModelKind::Autoencoder, 5, 0, {4, 2}, 0.0, generator);
    const at::Tensor input = at::randn({6, 5}, generator, at::kFloat);
    const auto pass = network.forward(input, at::Tensor(), false, nullptr);
    QCOMPARE(pass.itemLoss.sizes().vec(), std::vector<int64_t>{6});
    QCOMPARE(pass.latent.sizes().vec(), (std::vector<int64_t>{6, 2}));
    // Independent reconstruction: run the layers by hand from the parameter list.
    const auto p = network.baseParameters();
    at::Tensor h = at::relu(at::addmm(p[1], input, p[0].t()));
    h = at::addmm(p[3], h, p[2].t());
    h = at::relu(at::addmm(p[5], h, p[4].t()));
    const at::Tensor reconstruction = at::addmm(p[7], h, p[6].t());
    const at::Tensor expected = (reconstruction - input).pow(2).sum(1);
    QVERIFY(at::allclose(pass.itemLoss, expected, 1e-5, 1e-6));
}

QTEST_GUILESS_MAIN(tst_UaiNetwork)
#include "tst_uainetwork.moc"
