# The workload behind examples/stdlib_trace.jl: it uses only Base and standard libraries, so the
# trace it records compiles in any session of the same Julia version. To record it again:
#     julia --startup-file=no --trace-compile=examples/stdlib_trace.jl examples/workload.jl
# then drop the statements that name `Main` (`compile-traces filter --exclude-module Main`).
using Dates, Printf, Random

function summarize(samples::Vector{Float64})
    mean = sum(samples) / length(samples)
    sorted = sort(samples)
    median = (sorted[(end + 1) ÷ 2] + sorted[end ÷ 2 + 1]) / 2
    std = sqrt(sum(x -> (x - mean)^2, samples) / (length(samples) - 1))
    return (mean = mean, median = median, std = std)
end

rng = MersenneTwister(1)
samples = randn(rng, 1_000)
stats = summarize(samples)
report = IOBuffer()
@printf(report, "mean %.3f, median %.3f, std %.3f\n", stats.mean, stats.median, stats.std)
day = Date(2024, 2, 29)
println(report, Dates.format(day + Month(1), "yyyy-mm-dd"), " is a ", dayname(day + Month(1)))
counts = Dict{String,Int}()
for word in split("the quick brown fox jumps over the lazy dog the end")
    counts[word] = get(counts, word, 0) + 1
end
top = sort!(collect(counts); by = last, rev = true)[1:3]
println(report, join([string(word, " ", count) for (word, count) in top], ", "))
print(String(take!(report)))
