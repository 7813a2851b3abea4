"""Follow-up requests on hit/no-hit references, with the deadlines of EU Directive 2023/977."""
