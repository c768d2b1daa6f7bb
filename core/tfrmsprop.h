#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace uai {

/// RMSprop with TensorFlow 1's semantics, which the published method was tuned with:
///   ms <- decay * ms + (1 - decay) * g^2,   ms starts at 1
///   p  <- p - lr * g / sqrt(ms + epsilon)
/// LibTorch's RMSprop starts ms at 0 (decay 0.99, epsilon 1e-8 outside the root), so its first
/// steps are about ten times the learning rate at lr 0.01, which makes these networks collapse.
class TfRmsprop
{
public:
    TfRmsprop(std::vector<at::Tensor> parameters,
              double learningRate,
              double decay = 0.9,
              double epsilon = 1e-10,
              double initialAccumulator = 1.0);

    /// Clears the gradients of all parameters. The next backward pass then stores its gradients
    /// instead of adding them to zeros, which saves a fill and an addition per parameter.
    void zeroGrad();
    /// Applies one update to every parameter that has a gradient. A parameter that had a
    /// gradient in an earlier step but has none now is treated as having a zero gradient, as
    /// when gradients were zeroed in place: its accumulator decays and its value stays.
    void step();

    /// Mean-square accumulators, one per parameter, in parameter order.
    const std::vector<at::Tensor> &accumulators() const { return m_meanSquare; }
    std::vector<at::Tensor> &accumulators() { return m_meanSquare; }

private:
    std::vector<at::Tensor> m_parameters;
    std::vector<at::Tensor> m_meanSquare;
    std::vector<at::Tensor> m_denominator; ///< sqrt(ms + epsilon), rewritten by every step
    std::vector<bool> m_hadGradient;
    at::Tensor m_epsilonTensor; ///< epsilon as a 0-dimensional float tensor, for add_out
    double m_learningRate;
    double m_decay;
    double m_epsilon;
};

} // namespace uai
