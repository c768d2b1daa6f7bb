#include "uainetwork.h"

#include <cmath>

namespace uai {

DenseLayer DenseLayer::create(int inputs, int outputs, at::Generator &generator)
{
    const double limit = std::sqrt(6.0 / double(inputs + outputs));
    DenseLayer layer;
    layer.weight = at::empty({outputs, inputs}, at::kFloat).uniform_(-limit, limit, generator);
    layer.bias = at::zeros({outputs}, at::kFloat);
    layer.weight.set_requires_grad(true);
    layer.bias.set_requires_grad(true);
    return layer;
}

at::Tensor DenseLayer::forward(const at::Tensor &input) const
{
    return at::addmm(bias, input, weight.t());
}

UaiNetwork::UaiNetwork(ModelKind kind,
                       int inputSize,
                       int classCount,
                       const std::vector<int> &hiddenSizes,
                       double inputNoise,
                       at::Generator &generator,
                       int extraInputs)
    : m_kind(kind)
    , m_latentSize(hiddenSizes.back())
    , m_extraInputs(extraInputs)
    , m_inputNoise(inputNoise)
{
    int previous = inputSize;
    for (const int size : hiddenSizes) {
        m_encoder.push_back(DenseLayer::create(previous, size, generator));
        previous = size;
    }
    if (kind == ModelKind::Autoencoder) {
        for (auto it = hiddenSizes.rbegin() + 1; it != hiddenSizes.rend(); ++it) {
            m_decoder.push_back(DenseLayer::create(previous, *it, generator));
            previous = *it;
        }
        m_decoder.push_back(DenseLayer::create(previous, inputSize, generator));
    } else {
        m_decoder.push_back(DenseLayer::create(previous, classCount, generator));
    }
    m_uai = DenseLayer::create(m_latentSize + 1, 1, generator);
    if (m_extraInputs > 0) {
        at::Tensor weight =
            at::cat({m_uai.weight.detach(), at::zeros({1, m_extraInputs}, at::kFloat)}, 1);
        weight.set_requires_grad(true);
        m_uai.weight = weight;
    }
}

at::Tensor UaiNetwork::encode(const at::Tensor &input) const
{
    at::Tensor hidden = input;
    for (size_t i = 0; i < m_encoder.size(); ++i) {
        hidden = m_encoder[i].forward(hidden);
        const bool linearBottleneck = m_kind == ModelKind::Autoencoder && i + 1 == m_encoder.size();
        // In place: the layer's output is not needed for its own backward pass.
        if (!linearBottleneck)
            hidden = at::relu_(hidden);
    }
    return hidden;
}

at::Tensor UaiNetwork::decode(const at::Tensor &latent) const
{
    at::Tensor hidden = latent;
    for (size_t i = 0; i < m_decoder.size(); ++i) {
        hidden = m_decoder[i].forward(hidden);
        if (i + 1 < m_decoder.size())
            hidden = at::relu_(hidden);
    }
    return hidden;
}

at::Tensor UaiNetwork::reconstruct(const at::Tensor &input) const
{
    if (m_kind != ModelKind::Autoencoder)
        return {};
    return decode(encode(input));
}

UaiNetwork::Pass UaiNetwork::forward(const at::Tensor &input,
                                     const at::Tensor &classes,
                                     bool withNoise,
                                     at::Generator *generator) const
{
    Pass pass;
    if (m_kind == ModelKind::Autoencoder) {
        at::Tensor noisy = input;
        if (withNoise && m_inputNoise > 0.0) {
            noisy =
                at::empty_like(input)
                    .normal_(0.0,
                             m_inputNoise,
                             generator ? c10::optional<at::Generator>(*generator) : c10::nullopt)
                    .add_(input);
        }
        pass.latent = encode(noisy);
        // Summed over features, so the loss scale of a 784-pixel image is its squared error,
        // not the per-pixel mean; the verdict loss is balanced against that scale. mse_loss
        // gives the same values as (x - y).pow(2) in one pass forward and one backward, where
        // the pow form takes two and three.
        pass.itemLoss = at::mse_loss(decode(pass.latent), input, at::Reduction::None).sum(1);
    } else {
        pass.latent = encode(input);
        const at::Tensor logits = m_decoder.front().forward(pass.latent);
        pass.itemLoss = at::cross_entropy_loss(logits, classes, {}, at::Reduction::None);
    }
    return pass;
}

at::Tensor UaiNetwork::uaiLogit(const at::Tensor &latent,
                                const at::Tensor &score,
                                const at::Tensor &extraScores) const
{
    at::Tensor inputs = m_extraInputs > 0
                            ? at::cat({latent, score.detach().unsqueeze(1), extraScores}, 1)
                            : at::cat({latent, score.detach().unsqueeze(1)}, 1);
    if (m_uaiInputMean.defined())
        inputs = (inputs - m_uaiInputMean) / m_uaiInputScale;
    return m_uai.forward(inputs).squeeze(1);
}

void UaiNetwork::anchorUaiLayer(const at::Tensor &inputMean, const at::Tensor &inputScale)
{
    setUaiInputStandardisation(inputMean, inputScale);
    at::NoGradGuard noGrad;
    m_uai.weight.zero_();
    m_uai.weight[0][m_latentSize] = 1.0f;
    m_uai.bias.zero_();
}

void UaiNetwork::setUaiInputStandardisation(const at::Tensor &inputMean,
                                            const at::Tensor &inputScale)
{
    m_uaiInputMean = inputMean.detach().clone();
    // A constant input keeps scale 1 rather than dividing by zero.
    m_uaiInputScale =
        at::where(inputScale > 1e-12, inputScale, at::ones_like(inputScale)).detach().clone();
}

std::pair<at::Tensor, float> UaiNetwork::uaiLayerOnRawInputs() const
{
    at::NoGradGuard noGrad;
    const at::Tensor weight = m_uai.weight.detach().reshape({-1});
    const float bias = m_uai.bias.detach().item<float>();
    if (!m_uaiInputMean.defined())
        return {weight.clone(), bias};
    // w . (x - mean) / scale + b  =  (w / scale) . x + (b - w . mean / scale)
    const at::Tensor rawWeight = weight / m_uaiInputScale;
    return {rawWeight, bias - (rawWeight * m_uaiInputMean).sum().item<float>()};
}

std::vector<at::Tensor> UaiNetwork::baseParameters() const
{
    std::vector<at::Tensor> tensors;
    for (const auto *layers : {&m_encoder, &m_decoder}) {
        for (const auto &layer : *layers) {
            tensors.push_back(layer.weight);
            tensors.push_back(layer.bias);
        }
    }
    return tensors;
}

std::vector<at::Tensor> UaiNetwork::parameters() const
{
    std::vector<at::Tensor> tensors = baseParameters();
    tensors.push_back(m_uai.weight);
    tensors.push_back(m_uai.bias);
    return tensors;
}

} // namespace uai
