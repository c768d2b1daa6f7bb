#include "tfrmsprop.h"

namespace uai {

TfRmsprop::TfRmsprop(std::vector<at::Tensor> parameters,
                     double learningRate,
                     double decay,
                     double epsilon,
                     double initialAccumulator)
    : m_parameters(std::move(parameters))
    , m_learningRate(learningRate)
    , m_decay(decay)
    , m_epsilon(epsilon)
{
    m_meanSquare.reserve(m_parameters.size());
    for (const auto &parameter : m_parameters)
        m_meanSquare.push_back(at::full_like(parameter.detach(), initialAccumulator));
}

void TfRmsprop::zeroGrad()
{
    for (auto &parameter : m_parameters) {
        auto &grad = parameter.mutable_grad();
        if (grad.defined())
            grad.zero_();
    }
}

void TfRmsprop::step()
{
    at::NoGradGuard noGrad;
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        const at::Tensor &grad = m_parameters[i].grad();
        if (!grad.defined())
            continue;
        at::Tensor &meanSquare = m_meanSquare[i];
        meanSquare.mul_(m_decay).addcmul_(grad, grad, 1.0 - m_decay);
        m_parameters[i].addcdiv_(grad, (meanSquare + m_epsilon).sqrt_(), -m_learningRate);
    }
}

} // namespace uai
