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
    m_denominator.reserve(m_parameters.size());
    for (const auto &parameter : m_parameters) {
        m_meanSquare.push_back(at::full_like(parameter.detach(), initialAccumulator));
        m_denominator.push_back(at::empty_like(parameter.detach()));
    }
    m_hadGradient.assign(m_parameters.size(), false);
    m_epsilonTensor = at::scalar_tensor(epsilon, at::kFloat);
}

void TfRmsprop::zeroGrad()
{
    for (auto &parameter : m_parameters)
        parameter.mutable_grad().reset();
}

void TfRmsprop::step()
{
    at::NoGradGuard noGrad;
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        const at::Tensor &grad = m_parameters[i].grad();
        at::Tensor &meanSquare = m_meanSquare[i];
        if (!grad.defined()) {
            // ms <- decay * ms + (1 - decay) * 0; p - lr * 0 / sqrt(...) is p.
            if (m_hadGradient[i])
                meanSquare.mul_(m_decay);
            continue;
        }
        m_hadGradient[i] = true;
        meanSquare.mul_(m_decay).addcmul_(grad, grad, 1.0 - m_decay);
        at::Tensor &denominator = m_denominator[i];
        at::add_out(denominator, meanSquare, m_epsilonTensor).sqrt_();
        m_parameters[i].addcdiv_(grad, denominator, -m_learningRate);
    }
}

} // namespace uai
