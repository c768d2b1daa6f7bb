#include "tfrmsprop.h"

#include <QTest>

#include <ATen/ATen.h>

#include <cmath>

class tst_TfRmsprop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstStepIsAboutTheLearningRate();
    void matchesTensorFlowFormulaOverSteps_data();
    void matchesTensorFlowFormulaOverSteps();
    void parameterWithoutGradientIsUntouched();
    void parameterThatLostGradientDecays();
};

void tst_TfRmsprop::firstStepIsAboutTheLearningRate()
{
    // With the accumulator starting at 1 and gradient 1: ms = 0.9 + 0.1 = 1, step = lr / 1.
    // LibTorch's default (accumulator 0, decay 0.99) would step lr / sqrt(0.01) = 10 lr.
    at::Tensor parameter = at::ones({1}, at::kFloat).set_requires_grad(true);
    uai::TfRmsprop optimizer({parameter}, 0.01);
    (parameter * 1.0).sum().backward();
    optimizer.step();
    QVERIFY(std::abs(parameter.item<float>() - 0.99f) < 1e-6f);
}

void tst_TfRmsprop::matchesTensorFlowFormulaOverSteps_data()
{
    QTest::addColumn<double>("curvature");
    QTest::addColumn<double>("learningRate");
    QTest::newRow("gentle bowl") << 0.5 << 0.01;
    QTest::newRow("steep bowl") << 40.0 << 0.01;
    QTest::newRow("large learning rate") << 2.0 << 0.3;
}

void tst_TfRmsprop::matchesTensorFlowFormulaOverSteps()
{
    QFETCH(double, curvature);
    QFETCH(double, learningRate);

    // Minimise 0.5 * c * p^2 from p = 3; the gradient is c * p.
    at::Tensor parameter = at::full({1}, 3.0, at::kFloat).set_requires_grad(true);
    uai::TfRmsprop optimizer({parameter}, learningRate);
    double expected = 3.0;
    double meanSquare = 1.0;
    for (int step = 0; step < 50; ++step) {
        optimizer.zeroGrad();
        (0.5 * curvature * parameter * parameter).sum().backward();
        optimizer.step();

        const double grad = curvature * expected;
        meanSquare = 0.9 * meanSquare + 0.1 * grad * grad;
        expected -= learningRate * grad / std::sqrt(meanSquare + 1e-10);
        QVERIFY2(std::abs(parameter.item<float>() - expected)
                     < 1e-4 * std::max(1.0, std::abs(expected)),
                 qPrintable(QStringLiteral("step %1: got %2, expected %3")
                                .arg(step)
                                .arg(parameter.item<float>())
                                .arg(expected)));
    }
}

void tst_TfRmsprop::parameterWithoutGradientIsUntouched()
{
    at::Tensor used = at::ones({2}, at::kFloat).set_requires_grad(true);
    at::Tensor unused = at::ones({2}, at::kFloat).set_requires_grad(true);
    uai::TfRmsprop optimizer({used, unused}, 0.01);
    used.sum().backward();
    optimizer.step();
    QCOMPARE(unused.sum().item<float>(), 2.0f);
    QVERIFY(used.sum().item<float>() < 2.0f);
}

void tst_TfRmsprop::parameterThatLostGradientDecays()
{
    // Step 1 has gradient 2: ms = 0.9 + 0.1 * 4 = 1.3. Step 2 has none, which counts as a zero
    // gradient: ms = 0.9 * 1.3 and the value stays where step 1 left it.
    at::Tensor parameter = at::ones({1}, at::kFloat).set_requires_grad(true);
    uai::TfRmsprop optimizer({parameter}, 0.01);
    (2.0 * parameter).sum().backward();
    optimizer.step();
    const float afterFirstStep = parameter.item<float>();
    QVERIFY(std::abs(afterFirstStep - (1.0f - 0.01f * 2.0f / std::sqrt(1.3f))) < 1e-6f);

    optimizer.zeroGrad();
    QVERIFY(!parameter.grad().defined());
    optimizer.step();
    QCOMPARE(parameter.item<float>(), afterFirstStep);
    QVERIFY(std::abs(optimizer.accumulators()[0].item<float>() - 0.9f * 1.3f) < 1e-6f);
}

QTEST_GUILESS_MAIN(tst_TfRmsprop)
#include "tst_tfrmsprop.moc"
