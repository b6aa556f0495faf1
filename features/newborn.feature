Feature: Newborn (出生一件事)
  Birth medical certificate, vaccination certificate, household registration, medical insurance
  and the social security card: applied for once, online or at the hospital's desk through an
  agent, without a trip to a government office.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And an applicant "陈母"

  Scenario: Applied for through the hospital's agent, every certificate issued electronically
    When the applicant opens a case of "newborn" through an agent at "hz-citizen-centre"
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case is due on 2026-11-10
    And item "Birth registration (household register)" is "waiting"
    And item "Vaccination certificate" is "ready"
    When every item is approved
    Then the case is "ready_for_pickup"
    When the clerk delivers the results electronically, mailing "social-security-card" under the tracking reference "EMS 1180 2345 679"
    Then the case is "delivered"
    And the case has 0 trips

  Scenario: Parents with the same ID number are notified with both failing conditions
    When the applicant opens a case of "newborn" online
    And the applicant fills in the form:
      | field     | value              |
      | mother_id | 330106199009090083 |
      | father_id | 330106199009090083 |
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the action is refused with "incomplete"
    When the clerk gives the one-time notice
    Then the one-time notice lists:
      | kind      | id                                |
      | condition | 330100-WJ-CSYXZM/parents-distinct |
      | condition | 330102-GA-CSDJ/parents-distinct   |
    When the applicant corrects the form online:
      | field     | value |
      | father_id |       |
    And the clerk accepts the case
    Then the case is "in_progress"

  Scenario: The police station asks for a correction; the card waits for it
    When the applicant opens a case of "newborn" on mobile
    And the applicant submits a complete application
    And the clerk accepts the case
    And item "330100-WJ-CSYXZM" is approved
    And the reviewer of "sc-hubin-pcs" starts review of "330102-GA-CSDJ"
    And the reviewer of "sc-hubin-pcs" asks for a correction of "330102-GA-CSDJ": "请上传清晰的出生医学证明登记表"
    Then item "330100-RS-SBKSL" is "waiting"
    When the applicant supplies the correction of "330102-GA-CSDJ" on mobile with "birth-certificate-form"
    And the reviewer of "sc-hubin-pcs" approves "330102-GA-CSDJ"
    Then item "330100-YB-JMCBDJ" is "ready"

  Scenario: Untouched past its promise the case turns red
    When the applicant opens a case of "newborn" online
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the supervision colour is "green"
    When 7 working days pass
    Then the supervision colour is "red"

  Scenario: The birth certificate form is not waivable
    When the applicant opens a case of "newborn" online
    And the applicant submits the application without "birth-certificate-form"
    And the clerk accepts the case owing "birth-certificate-form"
    Then the action is refused with "not_waivable"


  Scenario Outline: Every intake channel of the matter costs no trip
    When the applicant opens a case of "newborn" <channel>
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case has 0 trips

    Examples:
      | channel          |
      | online           |
      | on mobile        |
      | through an agent |

  Scenario: An employed mother claims her maternity benefits in the same application
    When the applicant opens a case of "newborn" online
    And the applicant fills in the form:
      | field                   | value |
      | mother_employee_insured | true  |
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case includes "330100-YB-SYJT"
    And item "330100-YB-SYJT" is "waiting"
    When item "330100-WJ-CSYXZM" is approved
    Then item "330100-YB-SYJT" is "ready"
