// libLibTorchSharp.so was linked against GCC 13's libstdc++, which exports std::ios_base_library_init (version
// GLIBCXX_3.4.32); Debian 12 ships GCC 12's, which does not. This one function is all it needs from there: it makes
// sure the standard streams exist. Loaded with LD_PRELOAD by run.sh.
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init streams; }
}
