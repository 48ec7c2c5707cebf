/******************************************************************************
 * include/ips2ra/classifier.hpp
 *
 * In-place Parallel Super Scalar Radix Sort (IPS²Ra)
 *
 ******************************************************************************
 * BSD 2-Clause License
 *
 * Copyright © 2017, Michael Axtmann <michael.axtmann@gmail.com>
 * Copyright © 2017, Daniel Ferizovic <daniel.ferizovic@student.kit.edu>
 * Copyright © 2017, Sascha Witt <sascha.witt@kit.edu>
 * All rights reserved.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * * Redistributions of source code must retain the above copyright notice, this
 *   list of conditions and the following disclaimer.
 *
 * * Redistributions in binary form must reproduce the above copyright notice,
 *   this list of conditions and the following disclaimer in the documentation
 *   and/or other materials provided with the distribution.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 * AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 * IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 *****************************************************************************/

#pragma once

#include <type_traits>
#include <utility>

#include "ips2ra_fwd.hpp"
#include "utils.hpp"

namespace ips2ra {
namespace detail {

/**
 * Branch-free classifier.
 */
template <class Cfg>
class Sorter<Cfg>::Classifier {
    using iterator = typename Cfg::iterator;
    using value_type = typename Cfg::value_type;
    using bucket_type = typename Cfg::bucket_type;
    using Extractor = typename Cfg::Extractor;

 public:
    Classifier(Extractor extract) : extractor_(std::move(extract)) {}

    /**
     * Classifies a single element.
     */
    bucket_type classify(const value_type& value, int level) const {
        return Cfg::getBucket(extractor_(value), level);
    }

    template <class Extractor>
    class ClassifierUnrolled {
     public:
        ClassifierUnrolled(Extractor extractor) : extractor_(extractor) {}

        template <int LEVEL, class iterator, class Yield>
        void operator()(iterator begin, iterator end, Yield&& yield) {
            static_assert(LEVEL >= 0);
            constexpr const int kUnroll = Cfg::kUnrollClassifier;
            IPS2RA_ASSUME_NOT(begin >= end);
            IPS2RA_ASSUME_NOT(begin > (end - kUnroll));

            for (auto cutoff = end - kUnroll; begin <= cutoff; begin += kUnroll) {
                for (int i = 0; i < kUnroll; ++i) {
                    const auto key = extractor_(begin[i]);
                    const auto b = Cfg::template getBucket<LEVEL, decltype(key)>(key);
                    yield(b, begin + i);
                }
            }

            IPS2RA_ASSUME_NOT(begin > end);
            for (; begin != end; ++begin) {
                const auto key = extractor_(*begin);
                const auto b = Cfg::template getBucket<LEVEL, decltype(key)>(key);
                yield(b, begin);
            }
        }

     private:
        Extractor extractor_;
    };

    /**
     * Classifies all elements using a callback.
     */
    template <typename Yield>
    void classify(iterator begin, iterator end, int level, Yield&& yield) const {
        ClassifierUnrolled<Extractor> classifier{extractor_};
        switchUnroll<0, sizeof(key_type) - 1>(classifier, level, begin, end, yield);
    }

    /**
     * The key extractor
     */
    const Extractor& getExtractor() const { return extractor_; }

    Extractor extractor_;
};

}  // namespace detail
}  // namespace ips2ra
