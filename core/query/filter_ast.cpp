#include "filter_ast.h"

#include <algorithm>

namespace flowlens::query::detail {

using decode::FlowField;

int FilterAst::constant(bool value)
{
    FilterExpr e;
    e.kind = FilterExpr::Kind::Const;
    e.value = value;
    m_exprs.push_back(std::move(e));
    return int(m_exprs.size()) - 1;
}

int FilterAst::test(const FilterNode& node)
{
    FilterExpr e;
    e.kind = FilterExpr::Kind::Test;
    e.test = node;
    m_exprs.push_back(std::move(e));
    return int(m_exprs.size()) - 1;
}

int FilterAst::negate(int expr)
{
    const FilterExpr& inner = m_exprs[std::size_t(expr)];
    if (inner.kind == FilterExpr::Kind::Const)
        return constant(!inner.value);
    if (inner.kind == FilterExpr::Kind::Not)
        return inner.children.front();
    FilterExpr e;
    e.kind = FilterExpr::Kind::Not;
    e.children = {expr};
    m_exprs.push_back(std::move(e));
    return int(m_exprs.size()) - 1;
}

int FilterAst::allOf(const std::vector<int>& exprs)
{
    return combine(FilterExpr::Kind::And, exprs);
}

int FilterAst::anyOf(const std::vector<int>& exprs)
{
    return combine(FilterExpr::Kind::Or, exprs);
}

int FilterAst::combine(FilterExpr::Kind kind, const std::vector<int>& exprs)
{
    // For and, `true` children drop out and one `false` decides; for or the other way round.
    const bool neutral = kind == FilterExpr::Kind::And;
    std::vector<int> children;
    for (const int child : exprs) {
        const FilterExpr& c = m_exprs[std::size_t(child)];
        if (c.kind == FilterExpr::Kind::Const) {
            if (c.value != neutral)
                return constant(!neutral);
            continue;
        }
        if (c.kind == kind)
            children.insert(children.end(), c.children.begin(), c.children.end());
        else
            children.push_back(child);
    }
    if (children.empty())
        return constant(neutral);
    if (children.size() == 1)
        return children.front();
    FilterExpr e;
    e.kind = kind;
    e.children = std::move(children);
    m_exprs.push_back(std::move(e));
    return int(m_exprs.size()) - 1;
}

int FilterAst::addValueList(std::vector<std::uint64_t> values)
{
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    m_valueLists.push_back(std::move(values));
    return int(m_valueLists.size()) - 1;
}

int FilterAst::addAddressList(FilterAddressList list)
{
    std::sort(list.exact.begin(), list.exact.end());
    list.exact.erase(std::unique(list.exact.begin(), list.exact.end()), list.exact.end());
    m_addressLists.push_back(std::move(list));
    return int(m_addressLists.size()) - 1;
}

std::int32_t FilterAst::compileExpr(int expr, std::int32_t onTrue, std::int32_t onFalse,
                                    std::vector<FilterNode>& out) const
{
    // Children are emitted before the nodes that jump to them, so every jump points to a lower
    // index here; compile() reverses the vector to make them point forward.
    const FilterExpr& e = m_exprs[std::size_t(expr)];
    switch (e.kind) {
    case FilterExpr::Kind::Const:
        return e.value ? onTrue : onFalse;
    case FilterExpr::Kind::Test: {
        FilterNode node = e.test;
        node.onTrue = onTrue;
        node.onFalse = onFalse;
        out.push_back(node);
        return std::int32_t(out.size()) - 1;
    }
    case FilterExpr::Kind::Not:
        return compileExpr(e.children.front(), onFalse, onTrue, out);
    case FilterExpr::Kind::And: {
        std::int32_t next = onTrue;
        for (auto it = e.children.rbegin(); it != e.children.rend(); ++it)
            next = compileExpr(*it, next, onFalse, out);
        return next;
    }
    case FilterExpr::Kind::Or: {
        std::int32_t next = onFalse;
        for (auto it = e.children.rbegin(); it != e.children.rend(); ++it)
            next = compileExpr(*it, onTrue, next, out);
        return next;
    }
    }
    return onFalse;
}

namespace {

void addFields(const FilterNode& n, std::vector<FlowField>& fields)
{
    switch (n.op) {
    case FilterOp::RangeU8:
    case FilterOp::RangeU16:
    case FilterOp::RangeU32:
    case FilterOp::RangeU64:
    case FilterOp::Address:
    case FilterOp::AddressList:
    case FilterOp::ValueList:
        fields.push_back(n.field);
        break;
    case FilterOp::ScaledRange:
        fields.push_back(n.field);
        fields.push_back(FlowField::SamplingRate);
        break;
    case FilterOp::DurationRange:
        fields.push_back(FlowField::TimeFlowStart);
        fields.push_back(FlowField::TimeFlowEnd);
        break;
    case FilterOp::BpsRange:
    case FilterOp::PpsRange:
        fields.push_back(n.op == FilterOp::BpsRange ? FlowField::Bytes : FlowField::Packets);
        fields.push_back(FlowField::TimeFlowStart);
        fields.push_back(FlowField::TimeFlowEnd);
        if (n.width == 1)
            fields.push_back(FlowField::SamplingRate);
        break;
    case FilterOp::BppRange:
        fields.push_back(FlowField::Bytes);
        fields.push_back(FlowField::Packets);
        break;
    case FilterOp::FlagsAll:
        fields.push_back(FlowField::TcpFlags);
        break;
    case FilterOp::IcmpTypeRange:
    case FilterOp::IcmpCodeRange:
        fields.push_back(FlowField::IcmpType);
        fields.push_back(FlowField::IcmpCode);
        fields.push_back(FlowField::DstPort);
        break;
    case FilterOp::Family:
        fields.push_back(FlowField::SrcAddr);
        fields.push_back(FlowField::DstAddr);
        fields.push_back(FlowField::Etype);
        break;
    }
}

} // namespace

FilterProgram FilterAst::compile(int root) &&
{
    std::vector<FilterNode> backward;
    const std::int32_t entry = compileExpr(root, kAccept, kReject, backward);

    const auto n = std::int32_t(backward.size());
    const auto forward = [n](std::int32_t target) {
        return target >= 0 ? n - 1 - target : target;
    };
    FilterProgram program;
    program.nodes.resize(backward.size());
    for (std::int32_t i = 0; i < n; ++i) {
        FilterNode node = backward[std::size_t(i)];
        node.onTrue = forward(node.onTrue);
        node.onFalse = forward(node.onFalse);
        program.nodes[std::size_t(forward(i))] = node;
    }
    program.entry = forward(entry);
    program.valueLists = std::move(m_valueLists);
    program.addressLists = std::move(m_addressLists);
    for (const FilterNode& node : program.nodes)
        addFields(node, program.fields);
    std::sort(program.fields.begin(), program.fields.end());
    program.fields.erase(std::unique(program.fields.begin(), program.fields.end()), program.fields.end());
    return program;
}

} // namespace flowlens::query::detail
