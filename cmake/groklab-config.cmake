# find_package(groklab) gives the imported target groklab::groklab (the shared library; its dependencies are
# linked into it, so nothing else is needed to link a program).
include("${CMAKE_CURRENT_LIST_DIR}/groklab-targets.cmake")
